"""Settings of a node: ``GPID_*`` environment variables, a TOML config file, or arguments.

Precedence: explicit arguments, then environment variables, then the config file
(``<data dir>/node.toml`` or ``GPID_CONFIG``), then defaults. A wrong value is refused with the
name of the setting and what is accepted.

Secret settings (:data:`SECRET_SETTINGS`) may come from a file instead, as container platforms
hand secrets over (``GPID_KEYSTORE_PASSWORD_FILE=/run/secrets/keystore_password``): the file's text,
without its trailing newline, is the value, with the precedence of an environment variable.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from gpid_node.chain.client import FeeMode
from gpid_node.domain.errors import FieldProblem, ValidationFailed
from gpid_node.logs import hide


class _TomlSource(PydanticBaseSettingsSource):
    """Values from the TOML config file, if there is one."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            return tomllib.loads(self.path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValidationFailed([FieldProblem(str(self.path), f"not valid TOML: {exc}")]) from exc
        except UnicodeDecodeError as exc:
            raise ValidationFailed([FieldProblem(str(self.path), f"not UTF-8 (byte {exc.start}); TOML files are UTF-8")]) from None
        except RecursionError:  # tomllib nests arrays by recursion
            raise ValidationFailed([FieldProblem(str(self.path), "not valid TOML for a node: arrays nested too deep")]) from None


SECRET_SETTINGS = ("database_url", "rpc_url", "keystore_password", "rpc_bearer_token", "rpc_headers")
"""Settings that hold secrets (a database password, a provider's key in the chain URL, the keystore
password): each may be given in a file (``GPID_<NAME>_FILE``), and none is ever printed in clear."""


class _SecretFilesSource(PydanticBaseSettingsSource):
    """``GPID_<NAME>_FILE``: the value of a secret setting read from a file (Docker and Kubernetes
    secrets). Setting both ``GPID_<NAME>`` and ``GPID_<NAME>_FILE`` is refused: which one wins would
    be a guess. A refusal names the variable and the path, never what the file holds."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        for name in SECRET_SETTINGS:
            variable = f"GPID_{name.upper()}"
            path = os.environ.get(f"{variable}_FILE")
            if not path:
                continue
            if os.environ.get(variable):
                problems.append(FieldProblem(f"{variable}_FILE", f"{variable} and {variable}_FILE are both set: set one of them"))
                continue
            try:
                text = Path(path).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                problems.append(FieldProblem(f"{variable}_FILE", f"{path} is not UTF-8 text"))
                continue
            except OSError as exc:
                problems.append(FieldProblem(f"{variable}_FILE", f"cannot read {path}: {exc.strerror or exc.__class__.__name__}"))
                continue
            values[name] = text.removesuffix("\n").removesuffix("\r")
        if problems:
            raise ValidationFailed(problems, message="invalid settings: " + "; ".join(f"{p.path}: {p.message}" for p in problems))
        return values


class Settings(BaseSettings):
    """Everything a node needs to run."""

    model_config = SettingsConfigDict(env_prefix="GPID_", extra="forbid", validate_default=True)

    data_dir: Path = Field(Path("./data"), description="folder for the database, keys, chain state and records")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in the data folder")
    rpc_url: str | None = Field(None, description="JSON-RPC endpoint; default in dev mode: the embedded anvil")
    deployment_file: Path | None = Field(None, description="deployment record; default <data dir>/deployment.json")
    keystore_file: Path | None = Field(None, description="node key; default <data dir>/keystore.json")
    keystore_password: SecretStr = Field(SecretStr(""), description="password of the keystore")
    fee_mode: FeeMode = Field(FeeMode.AUTO, description="auto, eip1559, legacy or zero (permissioned networks)")
    confirmations: int = Field(0, ge=0, le=1000, description="blocks the indexer waits before indexing")
    host: str = Field("127.0.0.1", description="address the API listens on")
    port: int = Field(8080, ge=1, le=65535, description="port the API listens on")
    public_url: str | None = Field(None, description="URL clients use to reach this node (QR codes)")
    max_body_bytes: int = Field(1_048_576, ge=1024, le=1_073_741_824, description="largest request body accepted")
    batch_size: int = Field(50, ge=1, le=200, description="registrations gathered into one transaction")
    import_workers: int | None = Field(
        None, ge=0, le=64, description="worker processes that seal the rows of a large import (0: none; default: 1 on two or three CPUs, one per CPU but one, at most 4, beyond)"
    )
    write_timeout_s: float = Field(30.0, gt=0, le=3600, allow_inf_nan=False, description="how long a write waits for its block before 202")
    poll_interval_s: float = Field(
        0.05, gt=0, le=10, allow_inf_nan=False, description="how often the indexer looks for new blocks and the outbox for receipts of what it sent"
    )
    engine_process: bool = Field(
        True, description="run the outbox and indexer in a process of their own (else as threads of the API's)"
    )
    log_level: str = Field("info", description="debug, info, warning or error")
    log_format: str = Field("json", description="json or console")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS (none by default)")
    rate_limit_per_s: float = Field(
        50.0, ge=0, description="reads (GET, HEAD) a second per API key, or per client address without one; 0: no limit"
    )
    rate_limit_burst: int = Field(100, ge=1, description="reads an API key or address may send at once before the rate applies")
    rate_limit_writes_per_s: float = Field(
        20.0, ge=0, description="writes (POST and the like) a second per API key, or per client address without one; 0: no limit"
    )
    rate_limit_writes_burst: int = Field(100, ge=1, description="writes an API key or address may send at once before the rate applies")
    idempotency_retention_s: float = Field(
        86_400.0, ge=600, description="how long an Idempotency-Key is remembered; after that it is purged and counts as new"
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="addresses or networks (CIDR) of TLS-terminating proxies whose X-Forwarded-Proto / Forwarded "
        "proto= is believed (none by default: those headers are ignored)",
    )

    webhook_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="webhook receivers this node sends to: host names, *.domain, * (any public host) or IP networks in CIDR "
        "form; loopback, private and link-local addresses only when a network here holds them (none by default)",
    )
    webhook_allow_loopback: bool = Field(False, description="accept webhook receivers on loopback (development mode sets it)")
    webhook_max_attempts: int = Field(12, ge=1, le=100, description="attempts of a webhook delivery before it is dead-lettered")
    webhook_retry_base_s: float = Field(
        5.0, gt=0, le=3600, allow_inf_nan=False, description="wait after a delivery's first failed attempt; doubles after each one"
    )
    webhook_retry_max_s: float = Field(3600.0, gt=0, le=86_400, allow_inf_nan=False, description="longest wait between two attempts")
    webhook_timeout_s: float = Field(10.0, gt=0, le=120, allow_inf_nan=False, description="how long a receiver has to answer")

    # ------------------------------------------------------------------ private chain endpoints and signers
    # (chain/transport.py, chain/remote_signer.py; docs/operations.md "Private RPC and external signers")
    rpc_fallback_urls: list[str] = Field(
        default_factory=list, repr=False,
        description="further JSON-RPC endpoints of the same chain, in order: reads fail over to them, writes go to the first healthy one",
    )  # fmt: skip
    rpc_bearer_token: SecretStr | None = Field(None, description="static bearer token sent to the endpoint (or GPID_RPC_BEARER_TOKEN_FILE)")
    rpc_jwt_key_file: Path | None = Field(
        None, description="key the node signs its own short-lived JWTs with: a PEM RSA private key (RS256, Besu) or a 32-byte hex secret (HS256)"
    )
    rpc_jwt_expiry_s: int = Field(60, ge=10, le=86_400, description="lifetime of each JWT; a new one is signed when half of it has passed")
    rpc_jwt_permissions: list[str] = Field(default_factory=lambda: ["*:*"], description="the JWT's permissions claim (Besu)")
    rpc_headers: dict[str, SecretStr] = Field(
        default_factory=dict, description="extra HTTP headers sent to the endpoint, as a JSON object (or GPID_RPC_HEADERS_FILE)"
    )
    rpc_ca_file: Path | None = Field(None, description="CA bundle (PEM) the https endpoint's certificate is checked against; default: the system's")
    rpc_client_cert_file: Path | None = Field(None, description="client certificate (PEM) for mutual TLS with the endpoint")
    rpc_client_key_file: Path | None = Field(None, description="private key (PEM, unencrypted) of the client certificate, if not in its file")
    remote_signers: dict[str, str] = Field(
        default_factory=dict, repr=False,
        description="accounts signed for by a remote signer (eth_signTransaction: Web3Signer, Clef), as a JSON object account → signer URL",
    )  # fmt: skip

    @field_validator("rpc_fallback_urls")
    @classmethod
    def _fallback_urls(cls, value: list[str]) -> list[str]:
        return [_checked_http_url(url) for url in value]

    @field_validator("rpc_headers", mode="before")
    @classmethod
    def _headers(cls, value: Any) -> Any:
        if isinstance(value, str):  # from GPID_RPC_HEADERS_FILE: a JSON object
            import json

            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError('not a JSON object; write it as {"X-Api-Key": "..."}') from None
        if isinstance(value, dict):
            for name in value:
                if not isinstance(name, str) or not name or any(not (33 <= ord(ch) < 127) or ch == ":" for ch in name):
                    raise ValueError("a header name holds spaces, a colon or characters beyond ASCII; use names such as X-Api-Key")
                if isinstance(value[name], str) and any(ch in value[name] for ch in "\r\n\0"):
                    raise ValueError(f"the value of header {name} holds a line break")
        return value

    @field_validator("remote_signers")
    @classmethod
    def _signers(cls, value: dict[str, str]) -> dict[str, str]:
        from gpid_node.domain.addresses import checksum

        checked = {}
        for account, url in value.items():
            try:
                address = checksum(account)
            except (ValueError, TypeError):
                raise ValueError(f"{account[:50]!r} is not an account address; write 0x and 40 hex digits") from None
            checked[address] = _checked_http_url(url)
        return checked

    def rpc_options(self) -> Any:
        """The transport's options (:class:`gpid_node.chain.transport.RpcOptions`), key files read and
        checked now: a file that cannot be read or used is refused naming its setting, never its content."""
        from gpid_node.chain.transport import RpcOptions

        problems: list[FieldProblem] = []
        jwt_key = None
        if self.rpc_jwt_key_file is not None:
            try:
                jwt_key = self.rpc_jwt_key_file.read_bytes()
            except OSError as exc:
                problems.append(FieldProblem("GPID_RPC_JWT_KEY_FILE", f"cannot read {self.rpc_jwt_key_file}: {exc.strerror or exc.__class__.__name__}"))
        try:
            options = RpcOptions(
                bearer_token=self.rpc_bearer_token.get_secret_value() if self.rpc_bearer_token is not None else None,
                jwt_key=jwt_key, jwt_expiry_s=self.rpc_jwt_expiry_s, jwt_permissions=tuple(self.rpc_jwt_permissions),
                headers=tuple((k, v.get_secret_value()) for k, v in self.rpc_headers.items()),
                ca_file=str(self.rpc_ca_file) if self.rpc_ca_file else None,
                client_cert_file=str(self.rpc_client_cert_file) if self.rpc_client_cert_file else None,
                client_key_file=str(self.rpc_client_key_file) if self.rpc_client_key_file else None,
                fallback_urls=tuple(self.rpc_fallback_urls),
            )  # fmt: skip
        except ValueError as exc:
            problems.append(FieldProblem("GPID_RPC_BEARER_TOKEN", str(exc)))
            options = RpcOptions()
        if jwt_key is not None and not problems:
            from gpid_node.chain.transport import Credentials

            try:
                Credentials(options)
            except (ValueError, TypeError) as exc:  # cryptography refuses a damaged or encrypted key with these
                message = str(exc) if "JWT" in str(exc) else f"not a usable key ({exc.__class__.__name__}); a PEM RSA private key or a 32-byte hex secret"
                problems.append(FieldProblem("GPID_RPC_JWT_KEY_FILE", message))
        if not problems:
            import ssl

            try:
                options.ssl_context()
            except (OSError, ssl.SSLError) as exc:
                problems.append(FieldProblem("GPID_RPC_CA_FILE / GPID_RPC_CLIENT_CERT_FILE / GPID_RPC_CLIENT_KEY_FILE",
                                             f"cannot use the TLS files: {getattr(exc, 'strerror', None) or exc.__class__.__name__}"))  # fmt: skip
        if problems:
            raise ValidationFailed(problems, message="invalid settings: " + "; ".join(f"{p.path}: {p.message}" for p in problems))
        return options

    @field_validator("rpc_url", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _checked_http_url(value)

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        accepted = "use sqlite:///path/to/index.sqlite3 or postgresql+psycopg://user@host:5432/database"
        try:
            backend = make_url(value).get_backend_name()
        except (ArgumentError, ValueError):
            raise ValueError(f"not a database URL; {accepted}") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"{backend} is not a database the node runs on; {accepted}")
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value or len(value) > 253 or any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
            raise ValueError("use an address or host name without spaces, such as 127.0.0.1 or 0.0.0.0")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.lower() not in {"debug", "info", "warning", "error"}:
            raise ValueError("use debug, info, warning or error")
        return value.lower()

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in {"json", "console"}:
            raise ValueError("use json or console")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = os.environ.get("GPID_CONFIG")
        data_dir = Path(os.environ.get("GPID_DATA_DIR", "./data"))
        path = Path(config) if config else data_dir / "node.toml"
        return (init_settings, env_settings, _SecretFilesSource(settings_cls), _TomlSource(settings_cls, path))

    # ------------------------------------------------------------------ derived paths

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'index.sqlite3').resolve()}"

    @property
    def deployment_path(self) -> Path:
        return self.deployment_file or self.data_dir / "deployment.json"

    @property
    def keystore_path(self) -> Path:
        return self.keystore_file or self.data_dir / "keystore.json"

    @property
    def chain_state_path(self) -> Path:
        return self.data_dir / "chain" / "state.json"


MAX_URL_LENGTH = 2048


def _checked_http_url(value: str) -> str:
    """An http(s) URL with a host, no spaces or control characters, at most :data:`MAX_URL_LENGTH` long."""
    accepted = "use an http:// or https:// URL such as http://127.0.0.1:8545"
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"the URL has {len(value)} characters, at most {MAX_URL_LENGTH}; {accepted}")
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError(f"the URL holds spaces or control characters; {accepted}")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:  # a port beyond 65535 or not a number
        raise ValueError(f"the URL's port is not valid ({exc}); {accepted}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"the URL's scheme is {parts.scheme or 'missing'}; {accepted}")
    if not parts.hostname:
        raise ValueError(f"the URL names no host; {accepted}")
    del port
    return value


_SECRET_HINTS = ("password", "pasword", "secret", "key", "token", "signers", "fallback", "headers")  # the last three: URLs, header values


def _problem_text(error: Any) -> str:
    """The refusal of one setting; the value is quoted only for known settings that hold no secret, and shortened."""
    name = "_".join(str(p) for p in error["loc"]).lower()
    if error["type"] == "extra_forbidden":
        known = ", ".join(sorted(Settings.model_fields))
        return f"no such setting (a typing error?); the settings are {known}"
    if name in SECRET_SETTINGS or any(hint in name for hint in _SECRET_HINTS):  # URLs may carry credentials
        return error["msg"]
    given = repr(error.get("input"))
    return f"{error['msg']} (got {given if len(given) <= 80 else given[:80] + '...'})"


def load_settings(**overrides: Any) -> Settings:
    """Settings from every source; a wrong value raises ValidationFailed naming the setting."""
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:  # a list setting from the environment that is not JSON
        name = str(exc).split('"')[1] if str(exc).count('"') >= 2 else "a setting"
        problem = FieldProblem(f"GPID_{name.upper()}", "not a JSON list; write it as [\"https://a.example\", \"https://b.example\"]")
        raise ValidationFailed([problem], message=f"invalid settings: {problem.path}: {problem.message}") from None
    except ValidationError as exc:
        problems = [
            FieldProblem("GPID_" + "_".join(str(p) for p in err["loc"]).upper(), _problem_text(err))
            for err in exc.errors()
        ]
        raise ValidationFailed(problems, message="invalid settings: " + "; ".join(
            f"{p.path}: {p.message}" for p in problems
        )) from None
    hide(settings.keystore_password.get_secret_value(), urls=(settings.rpc_url, settings.database_url))
    hide(settings.rpc_bearer_token.get_secret_value() if settings.rpc_bearer_token is not None else None,
         *(value.get_secret_value() for value in settings.rpc_headers.values()),
         urls=(*settings.rpc_fallback_urls, *settings.remote_signers.values()))  # fmt: skip
    return settings
