/* subreaper CMD [ARGS...]: runs CMD as a child subreaper and reaps every
 * orphan while CMD runs; exits with CMD's status. Fault tests kill
 * sloika and sloika-build mid-way: the containers they leave are
 * reparented here rather than to a pid 1 that may reap lazily, so a
 * cleanup's kill is final (and its cgroup empties) at once, as under a
 * service manager. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: subreaper CMD [ARGS...]\n");
                return 2;
        }
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                perror("subreaper: PR_SET_CHILD_SUBREAPER");
                return 2;
        }
        pid_t child = fork();
        if (child < 0) {
                perror("subreaper: fork");
                return 2;
        }
        if (child == 0) {
                execvp(argv[1], argv + 1);
                fprintf(stderr, "subreaper: %s: %s\n", argv[1], strerror(errno));
                _exit(127);
        }
        for (;;) {
                int status;
                pid_t w = wait(&status);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("subreaper: wait");
                        return 2;
                }
                if (w == child)
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
}
