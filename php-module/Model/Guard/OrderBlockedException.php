<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\Exception\LocalizedException;

/**
 * An order placement the payment guard refused: a LocalizedException, so REST answers Magento's usual 400
 * body and GraphQL's placeOrder its usual error entry.
 */
final class OrderBlockedException extends LocalizedException
{
}
