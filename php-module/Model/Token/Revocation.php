<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Token;

/**
 * Result of one bulk token revocation.
 */
final class Revocation
{
    /**
     * @param list<int> $cachedUserIds users whose previous cut-off may be cached
     */
    public function __construct(
        public readonly int $userType,
        public readonly int $userCount,
        public readonly array $cachedUserIds
    ) {
    }
}
