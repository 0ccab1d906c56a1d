"""The desk server: short commands answered by a process that has already loaded the code.

A fresh Python process that imports click, the model, the desk, the store and the plugins
spends most of a ``workbench case show`` doing that. The desk server (``server``) imports
them once and stays running; the ``workbench`` command (``client``, the console script)
hands each command to it over a Unix socket together with its standard streams, working
folder, environment and umask, and the server forks a child that runs the normal entry
point with them, as a fresh process would. The command itself imports almost nothing.

Each command runs in a fresh fork, so nothing of one command reaches the next and the desk
is read as it is on disk at that moment. The server never runs code older than what is
installed: it checks the files it loaded before each command and goes away when any of them
changed (the client then runs the command itself).
"""
