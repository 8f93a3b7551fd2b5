"""Read .env files with python-dotenv and print {file: {name: value}} as JSON."""
import json
import sys

from dotenv import dotenv_values

print(json.dumps({f: dotenv_values(f, interpolate=True) for f in sys.argv[1:]}, ensure_ascii=False))
