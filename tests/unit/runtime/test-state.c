/* Container ids, state files and the status derived from them. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/lib/state.h"
#include "tests/unit/tap.h"

int main(void)
{
        char root[] = "/tmp/sl-state-test.XXXXXX";
        sl_state_container st = { 0 }, *back = NULL;
        sl_error err;
        int rootfd, dirfd, fd2 = -1;

        ok(sl_state_check_id("abc-1.2_3+x", &err) == 0, "letters, digits and _ + - . make an id");
        ok(sl_state_check_id("a/b", &err) < 0, "a slash is refused");
        is_str(err.msg, "invalid container id format: a/b", "with runc's wording");
        ok(sl_state_check_id("..", &err) < 0, "\"..\" is refused");
        ok(sl_state_check_id("", &err) < 0, "an empty id is refused");

        if (!mkdtemp(root))
                return 1;
        rootfd = sl_state_root_open(root, false, &err);
        ok(rootfd >= 0, "the root opens");
        dirfd = sl_state_dir_create(rootfd, "c1", &err);
        ok(dirfd >= 0, "a state dir is made");
        struct stat sb;
        ok(fstat(dirfd, &sb) == 0 && (sb.st_mode & 0777) == 0700, "the state dir is 0700");
        ok(sl_state_dir_create(rootfd, "c1", &err) < 0, "a second one with the same id fails");
        is_str(err.msg, "container with id exists: c1", "with runc's wording");

        st = (sl_state_container){
                .oci_version = "1.2.0", .id = "c1", .pid = getpid(), .has_pid = true,
                .pid_start_time = sl_proc_start_time(getpid()), .has_pid_start_time = true,
                .bundle = "/b", .rootfs = "/b/rootfs", .created = "2026-01-01T00:00:00Z",
                .config_path = "/b/config.json",
        };
        ok(st.pid_start_time > 0, "our own start time is read from /proc");
        ok(sl_state_save(dirfd, &st, &err) == 0, "the state is saved");
        ok(sl_state_load(rootfd, "c1", &back, &fd2, &err) == 0, "and loaded back");
        is_str(back ? back->bundle : NULL, "/b", "with its bundle");
        ok(back && sl_state_init_alive(back), "a live init with the recorded start time is alive");
        is_int(sl_state_status(dirfd, back), SL_STATUS_RUNNING, "no fifo and a live init: running");
        ok(mkfifoat(dirfd, SL_EXEC_FIFO, 0600) == 0, "an exec fifo is made");
        is_int(sl_state_status(dirfd, back), SL_STATUS_CREATED, "with the fifo: created");
        back->pid_start_time += 1;
        ok(!sl_state_init_alive(back), "a different start time means a recycled pid");
        is_int(sl_state_status(dirfd, back), SL_STATUS_STOPPED, "which is stopped");
        sl_state_container *none = NULL;
        ok(sl_state_load(rootfd, "nope", &none, NULL, &err) < 0 && !none, "loading an unknown id fails");
        is_str(err.msg, "container \"nope\" does not exist", "with runc's wording");

        ok(mkdirat(dirfd, "notify", 0755) == 0 && close(openat(dirfd, "notify/x", O_CREAT | O_WRONLY, 0600)) == 0,
           "a notify dir with a file in it");
        ok(sl_state_dir_remove(rootfd, "c1", &err) == 0, "the state dir is removed");
        ok(faccessat(rootfd, "c1", F_OK, 0) < 0, "with everything in it");
        ok(sl_state_dir_remove(rootfd, "c1", &err) == 0, "removing it again is fine");
        sl_state_container_free(back);
        close(fd2);
        close(dirfd);
        close(rootfd);
        rmdir(root);
        return tap_done();
}
