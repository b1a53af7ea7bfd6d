"""Put bench/results.md into README.md's "Benchmarks" section (replacing the previous table)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
readme = ROOT / "README.md"
table = (ROOT / "bench" / "results.md").read_text().rstrip()
notes = (ROOT / "bench" / "notes.md").read_text().rstrip() if (ROOT / "bench" / "notes.md").exists() else ""
section = "## Benchmarks\n\n`make bench` (province-scale data in its own `*_scale` database; "
section += "goals are targets, not tests). `make bench-storage` runs only the object-store measures (the "
section += (
    "annual review job and its download, the enterprise export; the local disk against S3 through a moto "
)
section += "server the bench starts; goal ≤ 1.2 × the local disk) into `bench/data/partial.*`.\n\n"
section += table + ("\n\n" + notes if notes else "") + "\n"
text = readme.read_text()
start = text.find("## Benchmarks")
if start == -1:
    text = text.rstrip() + "\n\n" + section
else:
    end = text.find("\n## ", start + 1)
    text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
readme.write_text(text)
