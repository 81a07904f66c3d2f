#ifndef CSPAWN_H
#define CSPAWN_H
#include <spawn.h>

/// Adds "close every descriptor from `lowest` up" to spawn file actions (glibc 2.34+), so children
/// inherit nothing but stdin, stdout and stderr.
int cspawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

#endif
