#!/usr/bin/env bash
# Placeholder: builds the real upstream test binaries from Go modules (issue 5 fills this in).
exit 0
