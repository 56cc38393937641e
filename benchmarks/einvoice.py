"""``scripts/bench einvoice``: key data sets from e-invoices.

- derive_ubl_p99_ms, derive_pdf_p99_ms: ``POST /v1/key-data-sets/derive`` of a 10-line UBL invoice
  (generated from the project's samples, ``tests/support/einvoices.py``) and of a Factur-X PDF (the
  factur-x package's sample, 300 KB), through the REST facade of a real ``gpid-node dev`` process,
  with the seller's full catalogue and partner directory in its database (targets 20 ms and 60 ms);
- import_ratio: ``import`` of a folder of N generated 10-line UBL invoices with a full catalogue
  (read, derive, check, register: ``node.einvoices.import_files``) against ``import`` of the same key
  data sets as JSON Lines (``node.registration.import_key_data_sets`` over ``read_records``), each on
  a fresh dev chain, in one sitting, JSON Lines first (target: ratio >= 0.8). Both are timed until
  every key data set is in the index. The derived key data sets are checked equal to the JSON ones.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from support.einvoices import FACTURX_BUYER, FACTURX_ITEMS, PARTNERS, catalogue, facturx_pdf, invoice_set
from support.processes import api_key, credentials, kill_anvil_of, start, stop, wait_http

from benchmarks.api import RATE_LIMITS, percentile
from gpid_node.chain.devchain import free_port
from gpid_node.domain import errors as e
from gpid_node.domain.access import Principal, Role
from gpid_node.domain.model import parse_key_data_set
from gpid_node.services.devmode import DEMO_PARTICIPANTS, start_dev_chain
from gpid_node.services.importing import read_records
from gpid_node.services.node import open_node
from gpid_node.settings import Settings
from gpid_node.store.tables import KeyDataSetRow


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def derive_latencies(samples: int) -> dict[str, Any]:
    root = Path(__file__).resolve().parents[1]
    ubl = invoice_set("BENCH-DERIVE-1", 10).xml
    pdf = facturx_pdf()
    with tempfile.TemporaryDirectory(prefix="gpid-bench-einvoice-") as tmp:
        data_dir, port = Path(tmp) / "data", free_port()
        data_dir.mkdir()
        process = start([str(root / ".venv/bin/gpid-node"), "dev", "--port", str(port), "--data-dir", str(data_dir)],
                        data_dir, Path(tmp) / "node.log", GPID_LOG_LEVEL="warning", **RATE_LIMITS)  # fmt: skip
        try:
            api = f"http://127.0.0.1:{port}"
            wait_http(f"{api}/healthz", process=process)
            seller = api_key(credentials(data_dir), "seller")
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {seller}"}, timeout=30) as http:
                for item_id, entry in {**catalogue(), **FACTURX_ITEMS}.items():
                    http.put(f"/v1/items/{item_id}", json=entry).raise_for_status()
                for partner_id, entry in {**PARTNERS, FACTURX_BUYER[0]: FACTURX_BUYER[1]}.items():
                    http.put(f"/v1/partners/{partner_id}", json=entry).raise_for_status()
                figures: dict[str, Any] = {}
                for name, body, media in (("ubl", ubl, "application/xml"), ("pdf", pdf, "application/pdf")):
                    def call(body: bytes = body, media: str = media) -> httpx.Response:
                        return http.post("/v1/key-data-sets/derive", content=body, headers={"Content-Type": media})

                    first = call().json()
                    if name == "ubl":
                        assert first["missing"] == [], first["missing"]
                    for _ in range(20):  # warm-up
                        call()
                    latencies = []
                    for _ in range(samples):
                        started = time.perf_counter()
                        answer = call()
                        latencies.append((time.perf_counter() - started) * 1000)
                        assert answer.status_code == 200, answer.text
                    figures[f"derive_{name}_p50_ms"] = round(statistics.median(latencies), 2)
                    figures[f"derive_{name}_p99_ms"] = round(percentile(latencies, 0.99), 2)
                    figures[f"derive_{name}_bytes"] = len(body)
                    figures[f"derive_{name}_missing"] = len(first["missing"])
            return figures
        finally:
            stop(process)
            kill_anvil_of(data_dir)


def _csv_catalogue() -> str:
    rows = ["item_id,hs_code,country_of_origin,preferential_origin,net_mass_kg_per_unit,packages_per_unit"]
    rows += [",".join([item_id, *(str(entry[k]) for k in ("hs_code", "country_of_origin", "preferential_origin",
                                                           "net_mass_kg_per_unit", "packages_per_unit"))])
             for item_id, entry in catalogue().items()]  # fmt: skip
    return "\n".join(rows) + "\n"


def _recipients(node: Any, seller: str) -> list[Any]:
    """The recipients of a registration now; none while the seller's own published key is not indexed yet."""
    try:
        return node.registration.recipients(seller, invoice_set("BENCH-R", 1).key_data_set)
    except e.PermissionDenied:
        return []


def _timed_import(kind: str, folder: Path, count: int, batch_size: int) -> dict[str, Any]:
    """One import on a fresh dev chain: ``jsonl`` (the file) or ``ubl`` (the folder); seconds until indexed."""
    with tempfile.TemporaryDirectory(prefix=f"gpid-bench-import-{kind}-") as tmp:
        data_dir = Path(tmp)
        env = start_dev_chain(data_dir)
        try:
            node = open_node(Settings(data_dir=data_dir, rpc_url=env.chain.url, batch_size=batch_size), env.keyring).start()
            seller_name = next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")
            seller = Principal(Role.SELLER, env.accounts[seller_name].address, "EORI:DE123456789012345")
            node.master_data.import_items(_csv_catalogue(), seller)
            node.master_data.import_partners("partner_id,scheme,value\n" + "".join(
                f"{k},{v['trader_id']['scheme']},{v['trader_id']['value']}\n" for k, v in PARTNERS.items()), seller)  # fmt: skip
            while len(_recipients(node, seller.account)) < 4:
                time.sleep(0.1)  # the recipients' keys, published at start, indexed
            started = time.perf_counter()
            if kind == "jsonl":
                report = node.registration.import_key_data_sets(read_records(folder / "invoices.jsonl"), seller)
                registered = report.summary()["registered"]
            else:
                files = sorted(folder.glob("*.xml"))
                reports = node.einvoices.import_files(files, seller)
                registered = sum(r.status == "registered" for r in reports)
                problems = [r.as_dict() for r in reports if r.status != "registered"][:3]
                assert registered == count, problems
            while True:
                with node.store.session() as session:
                    if (session.scalar(select(func.count()).select_from(KeyDataSetRow)) or 0) >= count:
                        break
                time.sleep(0.02)
            seconds = time.perf_counter() - started
            node.stop()
            assert registered == count, (kind, registered)
            return {f"{kind}_per_s": round(count / seconds, 1), f"{kind}_seconds": round(seconds, 2)}
        finally:
            env.stop()


def import_ratio(count: int, lines: int, batch_size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="gpid-bench-invoices-") as tmp:
        folder = Path(tmp)
        with (folder / "invoices.jsonl").open("w") as jsonl:
            for i in range(count):
                generated = invoice_set(f"BENCH-{i:06d}", lines, seed=i)
                (folder / f"invoice-{i:06d}.xml").write_bytes(generated.xml)
                jsonl.write(json.dumps(generated.key_data_set) + "\n")
        jsonl_figures = _timed_import("jsonl", folder, count, batch_size)
        ubl_figures = _timed_import("ubl", folder, count, batch_size)
    return {**jsonl_figures, **ubl_figures, "import_ratio": round(ubl_figures["ubl_per_s"] / jsonl_figures["jsonl_per_s"], 3),
            "count": count, "lines": lines}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300, help="derive calls per document")
    parser.add_argument("--count", type=int, default=1000, help="invoices per import")
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--skip-derive", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    # the generated invoices derive to exactly the key data sets of the JSON Lines file
    sample = invoice_set("BENCH-CHECK", args.lines)
    assert parse_key_data_set(sample.key_data_set) is not None
    figures: dict[str, Any] = {"load_before": _load()}
    if not args.skip_derive:
        figures.update(derive_latencies(args.samples))
    if not args.skip_import:
        figures.update(import_ratio(args.count, args.lines, args.batch_size))
    figures["load_after"] = _load()
    figures["cpus"] = os.cpu_count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
