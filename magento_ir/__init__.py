"""magento_ir: incident response for Magento 2 / Adobe Commerce."""

from magento_ir._async import AsyncMagentoClient
from magento_ir._core.search_criteria import ConditionType, Filter, SearchCriteria, SortDirection
from magento_ir._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    GraphQLError,
    InvalidArgumentError,
    MagentoIRError,
    ModuleRequiredError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from magento_ir._http import set_testing
from magento_ir._logging import configure_logging
from magento_ir._sync import MagentoClient
from magento_ir._version import __version__
from magento_ir.auth import AdminCredentials, BearerToken, CustomerCredentials, OAuth1Credentials
from magento_ir.containment import Incident

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AdminCredentials",
    "AsyncMagentoClient",
    "AuthenticationError",
    "BadRequestError",
    "BearerToken",
    "ConditionType",
    "ConfigurationError",
    "CustomerCredentials",
    "Filter",
    "GraphQLError",
    "Incident",
    "InvalidArgumentError",
    "MagentoClient",
    "MagentoIRError",
    "ModuleRequiredError",
    "NotFoundError",
    "OAuth1Credentials",
    "RateLimitError",
    "SearchCriteria",
    "ServerError",
    "SortDirection",
    "UnexpectedResponseError",
    "__version__",
    "configure_logging",
    "set_testing",
]
