# Shared install steps for scripts/start and scripts/test (sourced, not run).
VENV="${VENV:-$PWD/.venv}"

apt_install() {
    # Debian packages the project needs; only when missing, and only as root.
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" != 0 ]; then
            echo "Please install as root: apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

make_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
}

install_app() {
    # fonts-dejavu-core: the PDF brief's font (æ ø å, dashes). Optional: without it the
    # brief falls back to Helvetica with Latin-1 text, so a missing font does not stop here.
    (apt_install fonts-dejavu-core) || echo "fonts-dejavu-core missing: the PDF brief uses Helvetica" >&2
    make_venv
    "$VENV/bin/python" -m pip install -q -e .
    warm_icon_font
}

warm_icon_font() {
    # Streamlit's icon font cut to the app's icons once now (kept in ~/.cache/samskab), so a
    # server's first visitors, and the first browser journey, wait for no cut.
    "$VENV/bin/python" -m workshop.ui.icon_font \
        || echo "icon font not cut now: each server cuts it as it starts" >&2
}

install_tests() {
    # chromium for the Playwright journeys (Playwright cannot download its own browser here),
    # poppler-utils to render the PDF brief to PNG in tests, fonts-dejavu-core for the brief,
    # nginx to test deploy/nginx-samskab.conf in front of two app processes (tests/test_cluster.py;
    # the tests run their own nginx on a loopback port and configure no site).
    # axe-core for the accessibility journey, at the version in tests/browser/package-lock.json
    # (npm ci only when that version is not installed yet).
    apt_install chromium poppler-utils fonts-dejavu-core nginx
    command -v npm >/dev/null 2>&1 || apt_install npm
    (
        cd tests/browser
        want=$(node -p "require('./package-lock.json').packages['node_modules/axe-core'].version")
        have=$(node -p "require('./node_modules/axe-core/package.json').version" 2>/dev/null || true)
        [ "$want" = "$have" ] || npm ci --no-audit --no-fund --silent
    )
    make_venv
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    warm_icon_font
}
