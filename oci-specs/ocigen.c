/* ocigen: reads a type description (.desc, see oci-specs/README.md) and
 * writes either the C header or the C source for it. The source holds
 * only field tables; ocispec-support.c does the JSON work from them.
 *
 *   ocigen header DESC OUT.h
 *   ocigen source DESC OUT.c    (includes OUT.h by the same relative path)
 *
 * Build-time tool: no dependency beyond libc. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_STRING, K_BOOL, K_INT8, K_INT16, K_INT32, K_INT64, K_UINT8, K_UINT16,
            K_UINT32, K_UINT64, K_OBJECT, K_STRING_MAP, K_SET, K_OBJECT_MAP };

static const struct { const char *word, *ctype, *kind; } scalars[] = {
        [K_STRING] = { "string", "char *", "OCISPEC_STRING" },
        [K_BOOL] = { "bool", "bool ", "OCISPEC_BOOL" },
        [K_INT8] = { "int8", "int8_t ", "OCISPEC_INT8" },
        [K_INT16] = { "int16", "int16_t ", "OCISPEC_INT16" },
        [K_INT32] = { "int32", "int32_t ", "OCISPEC_INT32" },
        [K_INT64] = { "int64", "int64_t ", "OCISPEC_INT64" },
        [K_UINT8] = { "uint8", "uint8_t ", "OCISPEC_UINT8" },
        [K_UINT16] = { "uint16", "uint16_t ", "OCISPEC_UINT16" },
        [K_UINT32] = { "uint32", "uint32_t ", "OCISPEC_UINT32" },
        [K_UINT64] = { "uint64", "uint64_t ", "OCISPEC_UINT64" },
        [K_OBJECT] = { NULL, NULL, "OCISPEC_OBJECT" },
        [K_STRING_MAP] = { NULL, "oci_string_map *", "OCISPEC_STRING_MAP" },
        [K_SET] = { NULL, "oci_string_map *", "OCISPEC_SET" },
        [K_OBJECT_MAP] = { NULL, NULL, "OCISPEC_OBJECT_MAP" },
};

struct field {
        char *key, *cname;
        enum kind kind;
        bool array, required;
        char *ref; /* struct name for K_OBJECT / K_OBJECT_MAP */
        bool ext;  /* ref is an "extern" C type from another description */
        int line;
};

struct type {
        char *name;
        struct field *fields;
        size_t nfields;
        int line;
};

static struct {
        const char *path;
        char prefix[64];
        struct type *types;
        size_t ntypes;
        char *includes[16], *externs[64];
        size_t nincludes, nexterns;
} desc = { .prefix = "oci_" };

static const char *desc_basename(void)
{
        const char *slash = strrchr(desc.path, '/');
        return slash ? slash + 1 : desc.path;
}

static void die(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int line, const char *fmt, ...)
{
        va_list ap;
        fprintf(stderr, "ocigen: %s:%d: ", desc.path, line);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

static void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n);
        if (p == NULL) {
                perror("ocigen");
                exit(1);
        }
        return p;
}

static char *xstrdup(const char *s)
{
        return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static bool is_ident(const char *s)
{
        if (!isalpha((unsigned char)*s) && *s != '_')
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && *s != '_')
                        return false;
        return true;
}

static const char *const c_keywords[] = {
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
        "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
        "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
        "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
};

/* JSON key to C member: camelCase and acronyms to snake_case
 * (throttleReadIOPSDevice → throttle_read_iops_device, containerID →
 * container_id, os.version → os_version). */
static char *snake_case(const char *key)
{
        size_t n = strlen(key);
        char *out = xrealloc(NULL, 2 * n + 2), *o = out;
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)key[i];
                unsigned char prev = i ? (unsigned char)key[i - 1] : 0;
                unsigned char next = (unsigned char)key[i + 1];
                if (!isalnum(ch)) {
                        if (o > out && o[-1] != '_')
                                *o++ = '_';
                        continue;
                }
                if (isupper(ch) && i > 0 && o > out && o[-1] != '_' &&
                    (islower(prev) || isdigit(prev) || (isupper(prev) && islower(next))))
                        *o++ = '_';
                *o++ = (char)tolower(ch);
        }
        *o = '\0';
        for (size_t i = 0; i < sizeof c_keywords / sizeof c_keywords[0]; i++)
                if (strcmp(out, c_keywords[i]) == 0)
                        strcat(out, "_");
        return out;
}

static void parse_type_word(struct field *f, const char *word, int line)
{
        if (strncmp(word, "[]", 2) == 0) {
                f->array = true;
                word += 2;
        }
        if (strncmp(word, "map:", 4) == 0) {
                if (f->array)
                        die(line, "arrays of maps are not supported");
                if (strcmp(word + 4, "string") == 0) {
                        f->kind = K_STRING_MAP;
                } else {
                        f->kind = K_OBJECT_MAP;
                        f->ref = xstrdup(word + 4);
                }
                return;
        }
        if (strcmp(word, "set") == 0) {
                if (f->array)
                        die(line, "arrays of sets are not supported");
                f->kind = K_SET;
                return;
        }
        for (int k = K_STRING; k <= K_UINT64; k++)
                if (strcmp(word, scalars[k].word) == 0) {
                        f->kind = (enum kind)k;
                        return;
                }
        f->kind = K_OBJECT;
        f->ref = xstrdup(word);
}

static struct type *find_type(const char *name)
{
        for (size_t i = 0; i < desc.ntypes; i++)
                if (strcmp(desc.types[i].name, name) == 0)
                        return &desc.types[i];
        return NULL;
}

static bool is_extern(const char *cname)
{
        for (size_t i = 0; i < desc.nexterns; i++)
                if (strcmp(desc.externs[i], cname) == 0)
                        return true;
        return false;
}

/* C name of a referenced struct: local ones get the prefix. */
static void ref_cname(const struct field *f, char *out, size_t n)
{
        snprintf(out, n, "%s%s", f->ext ? "" : desc.prefix, f->ref);
}

static void add_field(struct type *t, char **words, int nw, int line)
{
        if (nw < 2)
                die(line, "expected: KEY TYPE [required] [as NAME]");
        struct field f = { .key = xstrdup(words[0]), .line = line };
        parse_type_word(&f, words[1], line);
        for (int i = 2; i < nw; i++) {
                if (strcmp(words[i], "required") == 0)
                        f.required = true;
                else if (strcmp(words[i], "as") == 0 && i + 1 < nw)
                        f.cname = xstrdup(words[++i]);
                else
                        die(line, "unknown field option \"%s\"", words[i]);
        }
        if (f.cname == NULL)
                f.cname = snake_case(f.key);
        if (!is_ident(f.cname))
                die(line, "\"%s\" is not a C identifier (use: as NAME)", f.cname);
        if (f.ref && !is_ident(f.ref))
                die(line, "bad type name \"%s\"", f.ref);
        for (size_t i = 0; i < t->nfields; i++)
                if (strcmp(t->fields[i].key, f.key) == 0 || strcmp(t->fields[i].cname, f.cname) == 0)
                        die(line, "field \"%s\" (%s) defined twice in %s", f.key, f.cname, t->name);
        t->fields = xrealloc(t->fields, (t->nfields + 1) * sizeof *t->fields);
        t->fields[t->nfields++] = f;
}

static int split_words(char *line, char **words, int max)
{
        int n = 0;
        for (char *tok = strtok(line, " \t\r\n"); tok && n < max; tok = strtok(NULL, " \t\r\n"))
                words[n++] = tok;
        return n;
}

static void read_desc(const char *path)
{
        FILE *fp = fopen(path, "r");
        if (fp == NULL) {
                fprintf(stderr, "ocigen: %s: %s\n", path, strerror(errno));
                exit(1);
        }
        char buf[1024];
        int line = 0;
        struct type *cur = NULL;
        while (fgets(buf, sizeof buf, fp)) {
                line++;
                char *hash = strchr(buf, '#');
                if (hash)
                        *hash = '\0';
                char *words[8];
                int nw = split_words(buf, words, 8);
                if (nw == 0)
                        continue;
                if (strcmp(words[0], "prefix") == 0 && nw == 2 && cur == NULL) {
                        if (!is_ident(words[1]) || strlen(words[1]) >= sizeof desc.prefix)
                                die(line, "bad prefix");
                        strcpy(desc.prefix, words[1]);
                } else if (strcmp(words[0], "struct") == 0 && nw == 2 && cur == NULL) {
                        if (!is_ident(words[1]))
                                die(line, "bad struct name \"%s\"", words[1]);
                        if (find_type(words[1]))
                                die(line, "struct %s defined twice", words[1]);
                        desc.types = xrealloc(desc.types, (desc.ntypes + 1) * sizeof *desc.types);
                        cur = &desc.types[desc.ntypes++];
                        *cur = (struct type){ .name = xstrdup(words[1]), .line = line };
                } else if (strcmp(words[0], "include") == 0 && nw == 2 && cur == NULL) {
                        if (desc.nincludes == 16 || strchr(words[1], '"'))
                                die(line, "bad or too many includes");
                        desc.includes[desc.nincludes++] = xstrdup(words[1]);
                } else if (strcmp(words[0], "extern") == 0 && nw == 2 && cur == NULL) {
                        if (desc.nexterns == 64 || !is_ident(words[1]))
                                die(line, "bad or too many externs");
                        desc.externs[desc.nexterns++] = xstrdup(words[1]);
                } else if (strcmp(words[0], "end") == 0 && nw == 1 && cur != NULL) {
                        cur = NULL;
                } else if (cur != NULL) {
                        add_field(cur, words, nw, line);
                } else {
                        die(line, "expected \"prefix NAME\", \"struct NAME\" or a field inside struct ... end");
                }
        }
        fclose(fp);
        if (cur != NULL)
                die(line, "struct %s has no \"end\"", cur->name);
        for (size_t i = 0; i < desc.ntypes; i++)
                for (size_t j = 0; j < desc.types[i].nfields; j++) {
                        struct field *f = &desc.types[i].fields[j];
                        if (f->ref && !find_type(f->ref)) {
                                if (!is_extern(f->ref))
                                        die(f->line, "unknown type \"%s\" (neither a struct here nor an extern)", f->ref);
                                f->ext = true;
                        }
                }
}

/* C type of one element (or of the member for non-arrays). */
static void elem_ctype(const struct field *f, char *out, size_t n)
{
        char ref[128];
        if (f->ref)
                ref_cname(f, ref, sizeof ref);
        if (f->kind == K_OBJECT)
                snprintf(out, n, "%s *", ref);
        else if (f->kind == K_OBJECT_MAP)
                snprintf(out, n, "%smap_%s *", desc.prefix, f->ref);
        else
                snprintf(out, n, "%s", scalars[f->kind].ctype);
}

static bool has_flag_member(const struct field *f)
{
        return f->array || (f->kind >= K_BOOL && f->kind <= K_UINT64);
}

static void emit_header(FILE *out, const char *guard)
{
        fprintf(out, "/* Generated by ocigen from %s; do not edit. */\n", desc_basename());
        fprintf(out, "#ifndef %s\n#define %s\n\n", guard, guard);
        fprintf(out, "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n");
        fprintf(out, "#include \"oci-specs/ocispec-support.h\"\n");
        for (size_t i = 0; i < desc.nincludes; i++)
                fprintf(out, "#include \"%s\"\n", desc.includes[i]);
        fprintf(out, "\n");
        fprintf(out, "/* GNU C predefines linux as 1; here it names a member. */\n#undef linux\n\n");
        for (size_t i = 0; i < desc.ntypes; i++)
                fprintf(out, "typedef struct %s%s %s%s;\n", desc.prefix, desc.types[i].name,
                        desc.prefix, desc.types[i].name);
        /* One map type per struct used as a map value. */
        char done[64][128];
        size_t ndone = 0;
        for (size_t a = 0; a < desc.ntypes; a++)
                for (size_t b = 0; b < desc.types[a].nfields; b++) {
                        const struct field *f = &desc.types[a].fields[b];
                        if (f->kind != K_OBJECT_MAP)
                                continue;
                        bool seen = false;
                        for (size_t d = 0; d < ndone && !seen; d++)
                                seen = strcmp(done[d], f->ref) == 0;
                        if (seen || ndone == 64)
                                continue;
                        snprintf(done[ndone++], sizeof done[0], "%s", f->ref);
                        char elem[128];
                        ref_cname(f, elem, sizeof elem);
                        fprintf(out, "\ntypedef struct %smap_%s {\n        char **keys;\n"
                                "        %s *values;\n        size_t len;\n} %smap_%s;\n",
                                desc.prefix, f->ref, elem, desc.prefix, f->ref);
                }
        for (size_t i = 0; i < desc.ntypes; i++) {
                const struct type *t = &desc.types[i];
                fprintf(out, "\nstruct %s%s {\n", desc.prefix, t->name);
                for (size_t j = 0; j < t->nfields; j++) {
                        const struct field *f = &t->fields[j];
                        char ct[160];
                        elem_ctype(f, ct, sizeof ct);
                        if (f->array && f->kind == K_OBJECT)
                                ct[strlen(ct) - 1] = '\0'; /* contiguous elements */
                        fprintf(out, "        %s%s%s; /* \"%s\"%s */\n", ct, f->array ? "*" : "",
                                f->cname, f->key, f->required ? ", required" : "");
                        if (f->array)
                                fprintf(out, "        size_t %s_len;\n", f->cname);
                        if (has_flag_member(f))
                                fprintf(out, "        bool has_%s;\n", f->cname);
                }
                if (t->nfields == 0)
                        fprintf(out, "        char unused_;\n");
                fprintf(out, "};\n");
        }
        fprintf(out, "\n");
        for (size_t i = 0; i < desc.ntypes; i++) {
                const char *p = desc.prefix, *n = desc.types[i].name;
                fprintf(out, "extern const ocispec_type %s%s_type_;\n", p, n);
                fprintf(out, "%s%s *%s%s_parse_file(const char *path, sl_error *err);\n", p, n, p, n);
                fprintf(out, "%s%s *%s%s_parse_data(const char *data, size_t len, "
                        "const char *source_name, sl_error *err);\n", p, n, p, n);
                fprintf(out, "int %s%s_generate(const %s%s *v, unsigned flags, char **out, "
                        "size_t *out_len, sl_error *err);\n", p, n, p, n);
                fprintf(out, "void %s%s_free(%s%s *v);\n\n", p, n, p, n);
        }
        fprintf(out, "#endif\n");
}

static const struct field *sort_base_;

static int cmp_field_key(const void *a, const void *b)
{
        return strcmp(sort_base_[*(const size_t *)a].key, sort_base_[*(const size_t *)b].key);
}

static void emit_source(FILE *out, const char *header_name)
{
        fprintf(out, "/* Generated by ocigen from %s; do not edit. */\n", desc_basename());
        fprintf(out, "#include \"%s\"\n\n", header_name);
        for (size_t i = 0; i < desc.ntypes; i++) {
                const struct type *t = &desc.types[i];
                const char *p = desc.prefix, *n = t->name;
                /* Table rows in key order: the canonical output order. */
                size_t *order = xrealloc(NULL, (t->nfields + 1) * sizeof *order);
                for (size_t j = 0; j < t->nfields; j++)
                        order[j] = j;
                sort_base_ = t->fields;
                qsort(order, t->nfields, sizeof *order, cmp_field_key);
                if (t->nfields)
                        fprintf(out, "static const ocispec_field %s%s_fields_[] = {\n", p, n);
                for (size_t j = 0; j < t->nfields; j++) {
                        const struct field *f = &t->fields[order[j]];
                        char has[160] = "OCISPEC_NO_HAS", len[160] = "0", ref[160] = "NULL";
                        if (has_flag_member(f))
                                snprintf(has, sizeof has, "offsetof(%s%s, has_%s)", p, n, f->cname);
                        if (f->array)
                                snprintf(len, sizeof len, "offsetof(%s%s, %s_len)", p, n, f->cname);
                        if (f->ref) {
                                char cname[128];
                                ref_cname(f, cname, sizeof cname);
                                snprintf(ref, sizeof ref, "&%s_type_", cname);
                        }
                        fprintf(out, "        { \"%s\", %s, %s, offsetof(%s%s, %s), %s, %s, %s },\n",
                                f->key, scalars[f->kind].kind,
                                f->required && f->array ? "OCISPEC_REQUIRED | OCISPEC_ARRAY"
                                : f->required ? "OCISPEC_REQUIRED" : f->array ? "OCISPEC_ARRAY" : "0",
                                p, n, f->cname, has, len, ref);
                }
                if (t->nfields)
                        fprintf(out, "};\n");
                free(order);
                fprintf(out, "const ocispec_type %s%s_type_ = { \"%s%s\", sizeof(%s%s), %s%s%s, %zu };\n",
                        p, n, p, n, p, n, t->nfields ? p : "NULL", t->nfields ? n : "",
                        t->nfields ? "_fields_" : "", t->nfields);
                fprintf(out, "OCISPEC_DEFINE_API(%s%s)\n\n", p, n);
        }
}

static void free_desc(void)
{
        for (size_t i = 0; i < desc.ntypes; i++) {
                for (size_t j = 0; j < desc.types[i].nfields; j++) {
                        free(desc.types[i].fields[j].key);
                        free(desc.types[i].fields[j].cname);
                        free(desc.types[i].fields[j].ref);
                }
                free(desc.types[i].fields);
                free(desc.types[i].name);
        }
        free(desc.types);
        for (size_t i = 0; i < desc.nincludes; i++)
                free(desc.includes[i]);
        for (size_t i = 0; i < desc.nexterns; i++)
                free(desc.externs[i]);
}

int main(int argc, char **argv)
{
        if (argc != 4 || (strcmp(argv[1], "header") != 0 && strcmp(argv[1], "source") != 0)) {
                fprintf(stderr, "usage: ocigen header|source DESC OUTPUT\n");
                return 2;
        }
        desc.path = argv[2];
        read_desc(argv[2]);
        const char *outpath = argv[3];
        /* The generated names are relative to the build dir, which is on
         * the include path; "./x.c" and "x.c" name the same file. */
        while (strncmp(outpath, "./", 2) == 0)
                outpath += 2;
        size_t olen = strlen(outpath);
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
        FILE *out = fopen(tmp, "w");
        if (out == NULL) {
                fprintf(stderr, "ocigen: %s: %s\n", tmp, strerror(errno));
                return 1;
        }
        if (strcmp(argv[1], "header") == 0) {
                char guard[512];
                size_t g = 0;
                for (const char *s = "OCIGEN_"; *s; s++)
                        guard[g++] = *s;
                for (size_t i = 0; i < olen && g < sizeof guard - 1; i++)
                        guard[g++] = isalnum((unsigned char)outpath[i]) ? (char)toupper((unsigned char)outpath[i]) : '_';
                guard[g] = '\0';
                emit_header(out, guard);
        } else {
                if (olen < 2 || strcmp(outpath + olen - 2, ".c") != 0) {
                        fprintf(stderr, "ocigen: source output must end in .c\n");
                        return 2;
                }
                char header[4096];
                snprintf(header, sizeof header, "%.*s.h", (int)(olen - 2), outpath);
                emit_source(out, header);
        }
        if (ferror(out) | fclose(out) || rename(tmp, argv[3]) < 0) {
                fprintf(stderr, "ocigen: %s: %s\n", argv[3], strerror(errno));
                remove(tmp);
                return 1;
        }
        free_desc();
        return 0;
}
