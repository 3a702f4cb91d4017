"""The curated glossary: files people edit, inflection-aware matching, enforcement, QA."""

from workbench.glossary.store import Glossary, Term, load_glossary

__all__ = ["Glossary", "Term", "load_glossary"]
