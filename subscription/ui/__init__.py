"""The shared company-UI toolkit: what every company section builds its pages from.

`listing` (list view with search, filters, sorting, pages and exports), `exports` (the one
CSV/XLSX writer, which neutralises formulas, and column specifications), `tables` (reading uploaded
CSV/XLSX files), `forms` (styling, date and choice fields, validators), `permissions` (the role
table), `aztext` (Azerbaijani search and sorting) and `cards` (sections other apps add to a record's
page). It stands on the tenancy core and imports no company app.
"""
