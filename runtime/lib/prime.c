#include <fcntl.h>
#include <unistd.h>

#include "runtime/lib/prime.h"

pid_t sl_prime_cgroup_migration(void)
{
        /* The first one that exists: cgroup2, hybrid, then a v1 hierarchy. */
        static const char *const procs[] = {
                "/sys/fs/cgroup/cgroup.procs",
                "/sys/fs/cgroup/unified/cgroup.procs",
                "/sys/fs/cgroup/pids/cgroup.procs",
                "/sys/fs/cgroup/memory/cgroup.procs",
        };
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
                int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                (void)!write(fd, "0", 1);
                _exit(0);
        }
        _exit(0);
}
