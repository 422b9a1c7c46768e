# Shared by the scripts in this directory (sourced, not run).

# The root of pyenv's installs.
pyenv_root() {
    pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}"
}

# find_python 3.12 -> pyenv's interpreter of that version, else pythonX.Y on the PATH;
# otherwise an error that says how to install it, and status 1.
find_python() {
    local root candidate
    root=$(pyenv_root)
    for candidate in "$root"/versions/"$1".*/bin/python "$root"/versions/"$1"/bin/python; do
        if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
    done
    candidate=$(command -v "python$1" 2>/dev/null || true)
    if [ -n "$candidate" ] && "$candidate" -c '' 2>/dev/null; then
        echo "$candidate"; return 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        echo "$0: Python $1 is missing: install it with \`pyenv install $1\`" >&2
    else
        echo "$0: Python $1 is missing (looked in $root/versions and on the" \
             "PATH): install pyenv (https://github.com/pyenv/pyenv#installation), then" \
             "\`pyenv install $1\`" >&2
    fi
    return 1
}

# The tools environment (.venv/tools): tox 3 and virtualenv < 20.22, the last releases
# that make Python 2.7 environments (tox 4 cannot). Made from Python 3.11, else any 3.8+.
tools_venv() {
    local venv=.venv/tools reqs=requirements/tools.txt stamp python version
    stamp=$(sha1sum "$reqs" | cut -c1-16)
    if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then
        return 0
    fi
    if [ ! -x "$venv/bin/python" ]; then
        python=
        for version in 3.11 3.13 3.12 3.10 3.9 3.8; do
            python=$(find_python "$version" 2>/dev/null) && break
        done
        if [ -z "$python" ]; then
            find_python 3.11 >/dev/null || return 1
        fi
        mkdir -p .venv
        "$python" -m venv "$venv" >&2
    fi
    if ! "$venv/bin/pip" install -q --disable-pip-version-check -r "$reqs" \
            > "$venv/pip.log" 2>&1; then
        cat "$venv/pip.log" >&2
        echo "$0: installing $reqs into $venv failed (log above)" >&2
        return 1
    fi
    echo "$stamp" > "$venv/.stamp"
}

# Links python2.7, python3.8, ... in .venv/pythons to pyenv's interpreters, for tox to
# find on the PATH (pyenv's shims answer only for the versions made active).
link_pythons() {
    local dir=.venv/pythons version python
    mkdir -p "$dir"
    for version in "$@"; do
        python=$(find_python "$version" 2>/dev/null) || continue
        ln -sfn "$python" "$dir/python$version"
    done
    echo "$PWD/$dir"
}

# keep_service_off NAME: the Debian package's system service is stopped and not started
# at boot (the tests start their own servers on 127.0.0.1). Works with systemd, with
# SysV init scripts, and on a machine with neither; never fails.
keep_service_off() {
    local name=$1
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now "$name" >/dev/null 2>&1 || true
    fi
    if [ -x "/etc/init.d/$name" ]; then
        if ls /etc/rc[2-5].d/S*"$name" >/dev/null 2>&1 && command -v update-rc.d >/dev/null; then
            update-rc.d "$name" disable >/dev/null 2>&1 || true
        fi
        if "/etc/init.d/$name" status >/dev/null 2>&1; then
            "/etc/init.d/$name" stop >/dev/null 2>&1 || true
        fi
    fi
}
