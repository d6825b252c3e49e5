#!/bin/sh
# Linea HMI, installed in /opt/linea-hmi. Qt and Python want a UTF-8 locale; a service or
# a bare console may have none.
[ -n "${LANG:-}" ] && [ "${LANG}" != C ] && [ "${LANG}" != POSIX ] || export LANG=C.UTF-8
exec /opt/linea-hmi/hmi "$@"
