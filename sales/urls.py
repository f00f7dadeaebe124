from django.urls import path

from sales import import_views, pharmacy_views, product_views, sample_views, views

app_name = "sales"

urlpatterns = [
    path("", views.SaleListView.as_view(), name="sale-list"),
    path("add/", views.sale_create, name="sale-create"),
    path("import/", import_views.sale_import, name="sale-import"),
    path("import/template/", import_views.sale_import_template, name="sale-import-template"),
    path("import/<id:pk>/", import_views.import_batch_detail, name="import-batch-detail"),
    path("import/<id:pk>/undo/", import_views.import_batch_undo, name="import-batch-undo"),
    path("<id:pk>/", views.sale_detail, name="sale-detail"),
    path("<id:pk>/edit/", views.sale_update, name="sale-update"),
    path("<id:pk>/delete/", views.sale_delete, name="sale-delete"),
    path("products/", product_views.ProductListView.as_view(), name="product-list"),
    path("products/add/", product_views.product_create, name="product-create"),
    path("products/<id:pk>/", product_views.product_detail, name="product-detail"),
    path("products/<id:pk>/edit/", product_views.product_update, name="product-update"),
    path("products/<id:pk>/deactivate/", product_views.product_deactivate, name="product-deactivate"),
    # The section's usual delete address: a product with sales is deactivated, never deleted.
    path("products/<id:pk>/delete/", product_views.product_deactivate, name="product-delete"),
    path("pharmacies/", pharmacy_views.PharmacyListView.as_view(), name="pharmacy-list"),
    path("pharmacies/add/", pharmacy_views.pharmacy_create, name="pharmacy-create"),
    path("pharmacies/<id:pk>/", pharmacy_views.pharmacy_detail, name="pharmacy-detail"),
    path("pharmacies/<id:pk>/edit/", pharmacy_views.pharmacy_update, name="pharmacy-update"),
    path("pharmacies/<id:pk>/delete/", pharmacy_views.pharmacy_delete, name="pharmacy-delete"),
    path("samples/", sample_views.SampleStockListView.as_view(), name="sample-stock"),
    path("samples/issue/", sample_views.sample_issue_view, name="sample-issue"),
]
