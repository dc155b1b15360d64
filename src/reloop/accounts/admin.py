from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from reloop.accounts.models import Address, User


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ("full_name", "line1", "postal_code", "city", "region", "country", "is_default")
    readonly_fields = fields  # edits go through accounts.services, which check the country's rules
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class ReloopUserAdmin(UserAdmin):
    list_display = ("email", "username", "first_name", "last_name", "preferred_market", "is_staff")
    search_fields = ("email", "username", "first_name", "last_name")
    inlines = [AddressInline]
