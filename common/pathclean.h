/* Lexical path cleaning, shared by the runtime (mount destinations) and
 * the builder (.dockerignore, COPY destinations), so both read a path the
 * same way. No filesystem access: symlinks are resolved elsewhere, through
 * fds (common/path.h). */
#ifndef SLOIKA_COMMON_PATHCLEAN_H
#define SLOIKA_COMMON_PATHCLEAN_H

/* The shortest equivalent path, with Go's filepath.Clean rules: repeated
 * and trailing slashes, "." and "x/.." removed; ".." kept at the front of a
 * relative path and dropped at "/"; "" becomes ".". Malloc'd. */
char *sl_path_clean(const char *path);

/* The path cleaned as if it started with "/": always absolute, and ".."
 * can never climb above the root. Malloc'd. */
char *sl_path_clean_abs(const char *path);

#endif
