#!/bin/sh
# The browser the sf CLI opens for `sf org login web`, as BROWSER=<this file>: the CLI's opener (the `open` package's
# xdg-open) runs "$BROWSER <authorize URL>" and the CLI starts listening for the callback only once this command has
# exited, so, like a launcher that hands the URL to a running browser, it starts headless Chromium in the background
# (sf-web-login.js, which logs in on the page) and returns at once. Its output goes to $SF_WEB_LOGIN_LOG.
here=$(dirname "$0")
nohup node "$here/sf-web-login.js" "$1" >>"${SF_WEB_LOGIN_LOG:-/dev/null}" 2>&1 </dev/null &
exit 0
