#ifndef CCURLSHIM_H
#define CCURLSHIM_H
#include <curl/curl.h>

/// Typed wrappers around the variadic curl_easy_setopt and curl_easy_getinfo, which Swift cannot call.
CURLcode ccurl_set_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_set_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_set_read_function(CURL *handle, curl_read_callback callback);
CURLcode ccurl_set_progress_function(CURL *handle, curl_xferinfo_callback callback);
CURLcode ccurl_get_long(CURL *handle, CURLINFO info, long *value);

#endif
