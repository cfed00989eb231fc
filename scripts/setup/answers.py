"""Asks a registry once whether it answers, for the set-up's one-line failures.

    python3 scripts/setup/answers.py URL     exit 0 when URL answers; else prints why and exits 1
"""
import sys
import urllib.request


def main():
    url = sys.argv[1]
    try:
        urllib.request.urlopen(url, timeout=15).close()
    except Exception as error:  # pylint: disable=broad-except  # any failure is the answer
        print('%s does not answer (%s)' % (url, getattr(error, 'reason', error)))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
