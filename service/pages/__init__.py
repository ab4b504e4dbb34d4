"""The HTML pages for people: entity pages, search, browse lists, query pages, the editor, charts, with their templates/ and static/."""
