<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Data;

use MagentoIr\IncidentResponse\Model\Data\MaintenanceChangeResult;
use MagentoIr\IncidentResponse\Model\Data\OrderHoldResult;
use MagentoIr\IncidentResponse\Model\Data\QuarantineResult;
use PHPUnit\Framework\TestCase;

/**
 * Stored idempotent responses are rebuilt with fromArray and must serialise exactly as first sent.
 */
final class DataRoundTripTest extends TestCase
{
    public function testNestedResultsSurviveStorageAndOmitNulls(): void
    {
        $wire = [
            'action_id' => 18,
            'replayed' => false,
            'requested' => 2,
            'quarantined' => 1,
            'items' => [
                [
                    'sku' => 'A',
                    'result' => 'quarantined',
                    'prior_statuses' => [['store_id' => 0, 'status' => 1]],
                    'product_id' => 4,
                ],
                ['sku' => 'B', 'result' => 'not_found', 'prior_statuses' => []],
            ],
            'quarantine_id' => 4,
        ];
        self::assertSame($wire, QuarantineResult::fromArray(json_decode(json_encode($wire), true))->toArray());
    }

    public function testOptionalFieldsAreAbsentNotNull(): void
    {
        $result = MaintenanceChangeResult::fromArray([
            'action_id' => 1,
            'replayed' => true,
            'previous_mode' => 'off',
            'state' => ['mode' => 'off', 'retry_after' => 900, 'allowed_ips' => [], 'magento_flag' => false],
        ]);
        self::assertNull($result->getState()->getMessage());
        self::assertArrayNotHasKey('message', $result->toArray()['state']);
        self::assertTrue($result->isReplayed());
    }

    public function testOrderHoldResultsSurviveStorageAndOmitNulls(): void
    {
        $wire = [
            'action_id' => 21,
            'replayed' => false,
            'matched' => 2,
            'held' => 1,
            'remaining' => 0,
            'items' => [
                [
                    'order_id' => 7,
                    'increment_id' => '7',
                    'result' => 'held',
                    'prior_state' => 'new',
                    'prior_status' => 'pending',
                ],
                ['order_id' => 99, 'result' => 'not_found'],
            ],
            'hold_id' => 3,
        ];
        self::assertSame($wire, OrderHoldResult::fromArray(json_decode(json_encode($wire), true))->toArray());
    }
}
