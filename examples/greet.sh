#!/bin/sh
# Prints its argument in a small box.
msg=$1
line=$(printf '%s' "$msg" | sed 's/./-/g')
printf '+-%s-+\n| %s |\n+-%s-+\n' "$line" "$msg" "$line"
