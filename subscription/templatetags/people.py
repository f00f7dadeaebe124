"""`{{ user|user_label }}`: a person as pages name them (full name, else the login)."""

from django import template

from subscription.selectors import user_label as label_of

register = template.Library()


@register.filter
def user_label(user) -> str:
    return label_of(user)
