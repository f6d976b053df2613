<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

/**
 * Whether an order placement is running inside one the guard already checked (a shared instance per
 * request): CartManagementInterface::placeOrder reaches OrderManagementInterface::place through
 * QuoteManagement::submit, and the placement must be checked, and counted for velocity, once.
 */
final class PlacementScope
{
    private int $depth = 0;

    /**
     * Runs $placement as an already-checked placement.
     *
     * @template T
     * @param callable(): T $placement
     * @return T
     */
    public function run(callable $placement): mixed
    {
        $this->depth++;
        try {
            return $placement();
        } finally {
            $this->depth--;
        }
    }

    public function checked(): bool
    {
        return $this->depth > 0;
    }
}
