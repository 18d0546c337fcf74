"""The CNTK adapter: not built yet (see kbackend.backend.gaps). It imports CNTK so that choosing it
without CNTK installed says so; every contract function is a listed gap."""
import cntk as _cntk  # noqa: F401
