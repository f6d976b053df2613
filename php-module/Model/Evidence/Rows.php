<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

/**
 * Database values as the REST layer should see them: NULL and '' become null, so the key is omitted.
 */
final class Rows
{
    public static function nullableString(mixed $value): ?string
    {
        return $value === null || $value === '' ? null : (string) $value;
    }
}
