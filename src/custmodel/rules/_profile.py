"""R10 letters: the customer's profile, as letters and the profile view show it."""

from __future__ import annotations

from custmodel.model._customer import Customer
from custmodel.model._profile import CustomerProfile, LabelledCode, ProfileFlag
from custmodel.model._settings import Settings

__all__ = ["customer_profile"]


def customer_profile(settings: Settings, customer: Customer) -> CustomerProfile:
    """``customer``'s classification under the labels of its kind: Jack's "Attribute" card.

    Every flag labelled on the kind appears, set or not; a flag the customer carries whose
    label was deleted appears by number with no label, never hidden (R2). Code1 and Code2
    appear under the kind's labels (R3).
    """
    ks = settings.kind(customer.kind)
    numbers = sorted(set(ks.status_labels) | customer.status.numbers)
    return CustomerProfile(
        number=customer.number,
        kind=customer.kind,
        customer_type=customer.customer_type,
        debtor_account=customer.debtor_account,
        category=customer.category,
        flags=tuple(ProfileFlag(n, ks.status_labels.get(n), n in customer.status) for n in numbers),
        code1=LabelledCode("code1", ks.code1_label, customer.code1),
        code2=LabelledCode("code2", ks.code2_label, customer.code2),
        anonymized=customer.is_anonymized,
    )
