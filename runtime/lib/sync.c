#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/lib/sync.h"

static const size_t header_len = offsetof(sl_sync_msg, text);

int sl_sync_send(int fd, sl_sync_type type, int32_t value)
{
        sl_sync_msg m = { .type = type, .value = value };
        ssize_t n;

        do
                n = send(fd, &m, header_len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n == (ssize_t)header_len ? 0 : -1;
}

int sl_sync_send_error(int fd, const sl_error *err)
{
        sl_sync_msg m = { .type = SL_SYNC_ERROR, .value = err->code };
        size_t len = strnlen(err->msg, sizeof(m.text) - 1);
        ssize_t n;

        memcpy(m.text, err->msg, len);
        m.text[len] = '\0';
        do
                n = send(fd, &m, header_len + len + 1, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -1 : 0;
}

int sl_sync_expect(int fd, sl_sync_type want, int32_t *value, const char *what, sl_error *err)
{
        sl_sync_msg m;
        ssize_t n;

        /* A peer that exits with a message of ours unread (a START sent
         * ahead) resets the connection: that error comes first, the
         * messages it sent before are still queued behind it. */
        for (int resets = 0;;) {
                n = recv(fd, &m, sizeof(m) - 1, 0);
                if (n >= 0 || (errno != EINTR && !(errno == ECONNRESET && resets++ == 0)))
                        break;
        }
        if (n < 0)
                return sl_err_sys(err, errno, "%s: read from the container's init", what);
        if (n < (ssize_t)header_len)
                return sl_err(err, EPIPE, "%s: the container's init exited unexpectedly", what);
        if (m.type == SL_SYNC_ERROR) {
                ((char *)&m)[n] = '\0';
                return sl_err(err, m.value, "%s", m.text);
        }
        if (m.type != (uint32_t)want)
                return sl_err(err, EPROTO, "%s: unexpected message %u from the init (want %u)",
                              what, m.type, (unsigned)want);
        if (value)
                *value = m.value;
        return 0;
}
