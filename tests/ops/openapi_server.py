"""An embedded concertd of the test's own: its data dir in a temporary folder, a
loopback port the kernel picked (read back from its "listening" log line), stopped
by its pid — SIGTERM first, SIGKILL if it does not go — whatever happens to the test."""

import json
import os
import signal
import subprocess
import tempfile
import time

JWT_SECRET = "openapi-test-jwt-secret-0123456789abcdef"
WEBHOOK_SECRET = "openapi-test-pg-webhook-secret-0123"


class Concertd:
    def __init__(self, binary, config):
        self.binary = binary
        self.config = config
        self.dir = tempfile.TemporaryDirectory(prefix="concertd-openapi-")
        self.env = dict(os.environ, CONCERTD_JWT_SECRET=JWT_SECRET, CONCERTD_PG_WEBHOOK_SECRET=WEBHOOK_SECRET)
        for name in ("CONCERTD_PROFILE", "CONCERTD_LISTEN", "CONCERTD_DATA_DIR", "CONCERTD_PG_URL"):
            self.env.pop(name, None)  # the embedded profile on our own port, whatever the caller's shell says
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir.name, "concertd.log")

    def __enter__(self):
        config_path = os.path.join(self.dir.name, "config.json")
        with open(config_path, "w") as f:
            json.dump(self.config, f)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--listen", "127.0.0.1:0", "--data-dir", os.path.join(self.dir.name, "data"),
             "--config", config_path, "--demo"],
            stdout=self._log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("concertd exited with %d:\n%s" % (self.proc.returncode, self.log_tail()))
            self.port = self._listening_port()
            if self.port:
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("concertd did not report listening within 20 s:\n" + self.log_tail())

    def _listening_port(self):
        for line in self.log_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == "listening":
                return int(entry["address"].rsplit(":", 1)[1])
        return None

    def __exit__(self, *exc):
        self.stop()
        self.dir.cleanup()

    def token(self, sub, role=None, secret=JWT_SECRET):
        """A JWT minted by `concertd token`, the way an operator mints one."""
        args = [self.binary, "token", "--sub", sub] + (["--role", role] if role else [])
        env = dict(self.env, CONCERTD_JWT_SECRET=secret)
        return subprocess.run(args, env=env, check=True, capture_output=True, text=True, timeout=10).stdout.strip()

    def terminate(self):
        """SIGTERM (the drain starts); returns at once."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout):
        return self.proc.wait(timeout=timeout)

    def stop(self):
        """Stops our process by its pid: SIGTERM, then SIGKILL after 15 s."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        return self.proc.returncode

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tail(self, lines=30):
        return "\n".join(self.log_text().splitlines()[-lines:])
