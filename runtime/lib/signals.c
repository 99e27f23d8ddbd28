#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "runtime/lib/signals.h"

static const struct {
        const char *name;
        int sig;
} names[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT },   { "ILL", SIGILL },
        { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },   { "IOT", SIGIOT },     { "BUS", SIGBUS },
        { "FPE", SIGFPE },   { "KILL", SIGKILL },   { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },   { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },   { "URG", SIGURG },
        { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
        { "WINCH", SIGWINCH }, { "IO", SIGIO },     { "POLL", SIGPOLL },   { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

static int parse_num(const char *s, int *out)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0 || v > 1000)
                return -1;
        *out = (int)v;
        return 0;
}

int sl_signal_parse(const char *s, sl_error *err)
{
        const char *n = s;
        int v;

        if (parse_num(s, &v) == 0) {
                if (v >= 1 && v <= SIGRTMAX)
                        return v;
                return sl_err(err, EINVAL, "unknown signal \"%s\"", s);
        }
        if (strncasecmp(n, "SIG", 3) == 0)
                n += 3;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcasecmp(n, names[i].name) == 0)
                        return names[i].sig;
        if (strncasecmp(n, "RTMIN", 5) == 0) {
                if (!n[5])
                        return SIGRTMIN;
                if (n[5] == '+' && parse_num(n + 6, &v) == 0 && SIGRTMIN + v <= SIGRTMAX)
                        return SIGRTMIN + v;
        }
        if (strncasecmp(n, "RTMAX", 5) == 0) {
                if (!n[5])
                        return SIGRTMAX;
                if (n[5] == '-' && parse_num(n + 6, &v) == 0 && SIGRTMAX - v >= SIGRTMIN)
                        return SIGRTMAX - v;
        }
        return sl_err(err, EINVAL, "unknown signal \"%s\"", s);
}

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
                                 SIGWINCH, SIGCONT, SIGALRM, SIGPIPE };
static volatile pid_t forward_pid;

static void forward(int sig)
{
        int saved = errno;
        if (forward_pid > 0)
                kill(forward_pid, sig);
        errno = saved;
}

int sl_signals_forward_to(pid_t pid, sl_error *err)
{
        struct sigaction sa = { .sa_handler = forward };

        forward_pid = pid;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                if (sigaction(forwarded[i], &sa, NULL) < 0)
                        return sl_err_sys(err, errno, "forward signal %d", forwarded[i]);
        return 0;
}

void sl_signals_reset(void)
{
        struct sigaction sa = { .sa_handler = SIG_DFL };

        forward_pid = 0;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                sigaction(forwarded[i], &sa, NULL);
}

bool sl_signal_unhandled(pid_t pid, int sig)
{
        char path[32], line[256];
        uint64_t mask = 0, bit = sig >= 1 && sig <= 64 ? 1ull << (sig - 1) : 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        while (fgets(line, sizeof(line), f)) {
                uint64_t m;
                if ((strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0 ||
                     strncmp(line, "SigCgt:", 7) == 0) && sscanf(line + 7, "%" SCNx64, &m) == 1)
                        mask |= m;
        }
        fclose(f);
        return bit && !(mask & bit);
}

int sl_signal_cgroup_procs(const char *cgroup_path, int sig)
{
        DIR *d = opendir("/sys/fs/cgroup");
        struct dirent *e;
        int n = 0;

        while (d && (e = readdir(d))) {
                char path[PATH_MAX], line[32];
                FILE *f;
                if (e->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/cgroup.procs", e->d_name, cgroup_path);
                f = fopen(path, "re");
                while (f && fgets(line, sizeof(line), f))
                        if (atoi(line) > 0 && kill(atoi(line), sig) == 0)
                                n++;
                if (f)
                        fclose(f);
        }
        if (d)
                closedir(d);
        return n;
}
