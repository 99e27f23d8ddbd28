/* Placeholder entry point until the runtime lands: answers --version only. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
        if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
                printf("sloika version %s\n", PACKAGE_VERSION);
                return 0;
        }
        fprintf(stderr, "sloika: no command implemented yet\n");
        return 1;
}
