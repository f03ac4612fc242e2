"""Back-office for the coordinator: which libraries let their authors deposit."""

from django.contrib import admin

from simpul.repository.models import DepositPolicy


@admin.register(DepositPolicy)
class DepositPolicyAdmin(admin.ModelAdmin[DepositPolicy]):
    list_display = ("library", "authors_may_deposit")
