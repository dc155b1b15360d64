from django.contrib import admin

from reloop.invoicing.models import Invoice


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "seller", "order", "issued_at", "currency", "total")
    list_filter = ("kind", "market")
    search_fields = ("number", "order__number")
    readonly_fields = [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request):  # issued by the services only
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
