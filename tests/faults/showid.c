/* showid: prints "uid euid" and whether setuid(0) worked, for the
 * no_new_privs test, which installs it setuid root inside a container
 * (static: the container has no libc). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
        printf("uid=%d euid=%d", (int)getuid(), (int)geteuid());
        printf(" setuid0=%s\n", setuid(0) == 0 ? "yes" : "no");
        return 0;
}
