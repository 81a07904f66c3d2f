"""Parses Prometheus text from the file named first with the official client's parser and writes one
JSON line per sample ({"name", "labels", "value", "type"}) to the file named second. Exits 1, with the
parser's message, if the text does not parse. The daemon's end-to-end test uses it to check /metrics
independently of scalectl's own code."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

source, target = sys.argv[1], sys.argv[2]
try:
    with open(source, encoding="utf-8") as text, open(target, "w", encoding="utf-8") as out:
        for family in text_string_to_metric_families(text.read()):
            for sample in family.samples:
                out.write(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type}) + "\n")
except Exception as error:  # the parser raises ValueError and others on bad input
    print(f"not Prometheus text: {error}", file=sys.stderr)
    sys.exit(1)
