from balcao.accounts.roles import CAPABILITIES, has_capability


class CapabilityMap:
    """``{% if caps.audit_view %}`` in templates → has_capability(user, "audit.view")."""

    def __init__(self, user):
        self.user = user

    def __getitem__(self, key: str) -> bool:
        capability = key.replace("_", ".", 1)
        if capability not in CAPABILITIES:
            raise KeyError(key)
        return has_capability(self.user, capability)


def capabilities(request):
    return {"caps": CapabilityMap(request.user)}
