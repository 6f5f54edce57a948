"""Real servers on loopback for the network self-tests: BIND ``named`` (bind.py) and TLS / HTTP listeners
(tls.py). They bind 127.0.0.1 on free ports only; nothing is sent beyond 127.0.0.0/8."""
