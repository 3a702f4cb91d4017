"""What QA and glossary mining count as a word: letters, joined by apostrophes or hyphens.

Digits and underscores never belong to a word (numbers are checked on their own).
"""

import re

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
