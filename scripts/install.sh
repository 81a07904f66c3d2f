#!/bin/sh
# Installs scalectl: the binary into $PREFIX/bin, the systemd units into $UNITDIR (their paths rewritten
# to $PREFIX and $SYSCONFDIR), an example configuration and environment file into $SYSCONFDIR/scalectl,
# the crontab into $PREFIX/share/scalectl, and the state directory. Everything goes under $DESTDIR when set
# (packaging). An existing file is never overwritten: a configuration, a unit or an env file you edited
# stays as it is; the binary is replaced only by a different build (an upgrade). Run by `make install`.
set -eu

: "${BIN:?BIN names the scalectl binary to install}"
PREFIX="${PREFIX:-/usr/local}"
SYSCONFDIR="${SYSCONFDIR:-/etc}"
UNITDIR="${UNITDIR:-$PREFIX/lib/systemd/system}"
STATEDIR="${STATEDIR:-/var/lib/scalectl}"
DESTDIR="${DESTDIR:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"

# install_new MODE SOURCE TARGET: copy unless TARGET exists.
install_new() {
    if [ -e "$3" ]; then
        echo "kept     $3 (exists)"
    else
        install -D -m "$1" "$2" "$3"
        echo "created  $3"
    fi
}

bin="$DESTDIR$PREFIX/bin/scalectl"
if [ -e "$bin" ] && cmp -s "$BIN" "$bin"; then
    echo "kept     $bin (the same build)"
else
    [ -e "$bin" ] && verb="replaced" || verb="created "
    install -D -m 755 "$BIN" "$bin"
    echo "$verb $bin"
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
for unit in "$root"/schedules/systemd/*.service "$root"/schedules/systemd/*.timer; do
    name="$(basename "$unit")"
    sed -e "s#/usr/local/bin/scalectl#$PREFIX/bin/scalectl#g" -e "s#/etc/scalectl/#$SYSCONFDIR/scalectl/#g" \
        -e "s#/var/lib/scalectl#$STATEDIR#g" "$unit" > "$staging/$name"
    install_new 644 "$staging/$name" "$DESTDIR$UNITDIR/$name"
done

sed -e "s#/var/lib/scalectl#$STATEDIR#g" "$root/examples/production.toml" > "$staging/scalectl.toml"
install_new 644 "$staging/scalectl.toml" "$DESTDIR$SYSCONFDIR/scalectl/scalectl.toml"
install_new 600 "$root/schedules/env.example" "$DESTDIR$SYSCONFDIR/scalectl/env"
sed -e "s#/etc/scalectl/#$SYSCONFDIR/scalectl/#g" -e "s#^PATH=#PATH=$PREFIX/bin:#" "$root/schedules/crontab" > "$staging/crontab"
install_new 644 "$staging/crontab" "$DESTDIR$PREFIX/share/scalectl/crontab"
install -d -m 750 "$DESTDIR$STATEDIR"

echo "next: create the user (useradd --system scalectl), chown scalectl $SYSCONFDIR/scalectl/env $STATEDIR,"
echo "      edit $SYSCONFDIR/scalectl/scalectl.toml and env, run scalectl doctor, then enable the daemon or the timers"
