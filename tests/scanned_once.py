"""WhiteNoise's middleware for the test suite: STATIC_ROOT scanned once per process, not once
per test client.

Django's test `Client` builds its own handler, and so its own middleware, and WhiteNoise's reads
and stats every file of STATIC_ROOT (about a thousand) as it is made: some 0.15 s per client,
minutes over a suite that makes thousands. A server makes its middleware once, so what it
serves is the same either way.
"""

import os

from whitenoise.middleware import WhiteNoiseMiddleware

_SCANNED: dict[tuple, dict] = {}  # (root, prefix) -> the files WhiteNoise found there


class ScannedOnceWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    def add_files(self, root, prefix=None):
        if self.autorefresh:  # nothing is scanned in advance then
            return super().add_files(root, prefix)
        key = (os.path.abspath(root), prefix)
        if key not in _SCANNED:
            files, self.files = self.files, {}
            super().add_files(root, prefix)
            _SCANNED[key], self.files = self.files, files
        self.files.update(_SCANNED[key])
        return None
