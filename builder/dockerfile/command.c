#include "builder/dockerfile/command.h"

#include <ctype.h>
#include <string.h>

#include "builder/dockerfile/strbuf.h"
#include "common/strv.h"
#include "common/xalloc.h"

static char *const default_shell[] = {"/bin/sh", "-c", NULL};

static char **with_shell(char *const *shell, char *text)
{
        char **argv = sl_strv_dup(shell && shell[0] ? shell : default_shell);
        sl_strv_append_take(&argv, text);
        return argv;
}

char **sl_df_command_argv(const sl_df_command *c, char *const *shell)
{
        if (c->exec_form)
                return sl_strv_dup(c->argv);
        return with_shell(shell, sl_xstrdup(c->argc ? c->argv[0] : ""));
}

/* Whether the whole command text is one heredoc word naming h ("<<EOF",
 * "<<-'EOF'"), the case where the body itself is the script. */
static bool is_lone_heredoc(const char *text, const sl_df_heredoc *h)
{
        const char *p = text;
        while (isdigit((unsigned char)*p))
                p++;
        if (p[0] != '<' || p[1] != '<')
                return false;
        p += 2;
        if (*p == '-')
                p++;
        sl_strbuf b = {0};
        for (; *p; p++) {
                if (isspace((unsigned char)*p) || *p == '<') {
                        sl_strbuf_free(&b);
                        return false;
                }
                if (*p != '"' && *p != '\'' && *p != '\\')
                        sl_strbuf_addc(&b, *p);
        }
        bool same = b.s && strcmp(b.s, h->name) == 0;
        sl_strbuf_free(&b);
        return same;
}

char **sl_df_run_argv(const sl_df_instr *run, char *const *shell, const char *script_dir,
                      const sl_df_heredoc **script)
{
        const sl_df_command *c = &run->u.run.cmd;
        *script = NULL;
        if (c->exec_form || run->n_heredocs == 0)
                return sl_df_command_argv(c, shell);
        const char *text = c->argc ? c->argv[0] : "";
        const sl_df_heredoc *h = &run->heredocs[0];
        if (run->n_heredocs == 1 && is_lone_heredoc(text, h)) {
                if (strncmp(h->content, "#!", 2) == 0) {
                        *script = h;
                        char **argv = sl_strv_dup(NULL);
                        sl_strv_append_take(&argv, sl_xasprintf("%s/%s", script_dir, h->name));
                        return argv;
                }
                return with_shell(shell, sl_xstrdup(h->content));
        }
        sl_strbuf b = {0};
        sl_strbuf_adds(&b, text);
        for (size_t i = 0; i < run->n_heredocs; i++) {
                sl_strbuf_addc(&b, '\n');
                sl_strbuf_adds(&b, run->heredocs[i].content);
                sl_strbuf_adds(&b, run->heredocs[i].name);
        }
        return with_shell(shell, sl_strbuf_steal(&b));
}
