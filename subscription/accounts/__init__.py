"""People's accounts: login throttling, password change and reset, and the superusers' second factor.

`throttling.py` (django-axes: lockouts, the client's address), `second_factor.py` (django-otp: the
superusers' one-time codes and the middleware that asks for them), `forms.py`, `views.py`, `urls.py`
(mounted at /accounts/, with Django's URL names: login, password_change, password_reset, ...).
"""
