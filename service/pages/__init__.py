"""The HTML pages for people (entities, search, queries, editor, charts), with templates/ and static/."""
