"""R5: the template customer, whose rules a customer without own rules inherits."""

from __future__ import annotations

from custmodel.errors import (
    TemplateCustomerError,
)
from custmodel.model._customer import Customer
from custmodel.model._kinds import CustomerKind
from custmodel.model._profile import EffectiveRules, RuleOrigin, RuleSource

__all__ = ["check_template_customer", "effective_rules"]


def check_template_customer(kind: CustomerKind, template: Customer | None, number: int) -> None:
    """Check that customer ``number`` (``template``, None if unknown) may be ``kind``'s template.

    Raises:
        TemplateCustomerError: if it does not exist, is of another kind, or is merged.
    """
    if template is None:
        raise TemplateCustomerError(f"template customer {number} of kind {kind.value} not found")
    if template.kind is not kind:
        raise TemplateCustomerError(
            f"template customer {number} is of kind {template.kind.value}, not {kind.value}"
        )
    if not template.is_active:
        raise TemplateCustomerError(
            f"template customer {number} was merged into customer {template.merged_into}"
        )


def effective_rules(customer: Customer, template: Customer | None) -> EffectiveRules:
    """The commission scheme and fee schedule in force for ``customer`` (R5).

    Each is the customer's own if it has one, else the template customer's, else none; the two
    are decided independently.

    Args:
        customer: The customer asked about.
        template: Its kind's template customer, or None if the kind names none.
    """

    def pick(own: str | None, inherited: str | None) -> RuleSource:
        if own is not None:
            return RuleSource(own, RuleOrigin.OWN)
        if template is not None and inherited is not None:
            return RuleSource(inherited, RuleOrigin.TEMPLATE, template.number)
        return RuleSource(None, RuleOrigin.NONE)

    return EffectiveRules(
        customer=customer.number,
        commission_scheme=pick(
            customer.commission_scheme, template.commission_scheme if template else None
        ),
        fee_schedule=pick(customer.fee_schedule, template.fee_schedule if template else None),
    )
