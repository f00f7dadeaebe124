from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def test_bar_chart_draws_one_bar_per_value_scaled_to_the_largest():
    svg = render("{% bar_chart labels values %}", labels=["Jan", "Feb"], values=[5, 10])
    assert svg.count("<rect") == 2
    assert 'height="192.0"' in svg  # the largest value fills the plot's height
    assert 'height="96.0"' in svg
    assert "Jan" in svg and "Feb" in svg


def test_line_chart_draws_each_series_with_a_legend():
    svg = render(
        "{% line_chart labels series %}",
        labels=["W1", "W2", "W3"],
        series=[("Planned", [3, 4, 5]), ("Done", [1, 2, 3])],
    )
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 6
    assert "Planned" in svg and "Done" in svg


def test_labels_are_escaped():
    svg = render("{% bar_chart labels values %}", labels=["<script>"], values=[1])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_pagination_renders_page_numbers():
    from django.core.paginator import Paginator
    from django.template import RequestContext
    from django.test import RequestFactory

    page = Paginator(list(range(30)), 10).page(2)
    request = RequestFactory().get("/doctors/?q=x")
    html = Template('{% include "_pagination.html" %}').render(RequestContext(request, {"page_obj": page}))
    assert "2" in html and "3" in html
    assert "?q=x&amp;page=3" in html
