from django.contrib import admin

from reloop.orders.models import LineEvent, Order, OrderLine, SellerOrder


class SellerOrderInline(admin.TabularInline):
    model = SellerOrder
    extra = 0
    readonly_fields = ["seller", "shipping_method", "shipping_amount", "items_total", "total", "commission"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "buyer", "market", "total", "currency", "status", "created_at"]
    list_filter = ["status", "market"]
    search_fields = ["number", "buyer__email"]
    inlines = [SellerOrderInline]
    readonly_fields = [f.name for f in Order._meta.fields]


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ["product_title", "seller_name", "state", "unit_price", "quantity"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in OrderLine._meta.fields]


@admin.register(LineEvent)
class LineEventAdmin(admin.ModelAdmin):
    list_display = ["line", "from_state", "to_state", "actor_kind", "created_at"]
    readonly_fields = [f.name for f in LineEvent._meta.fields]
