<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\ActionLog;

use MagentoIr\IncidentResponse\Model\ActionLog\HashChain;
use PHPUnit\Framework\TestCase;

final class HashChainTest extends TestCase
{
    /**
     * @return array<string, mixed>
     */
    private function record(): array
    {
        return [
            'action' => 'maintenance.set',
            'status' => 'succeeded',
            'created_at' => '2024-05-01 03:12:09',
            'actor_type' => 2,
            'actor_id' => 1,
            'incident_id' => 'INC-1',
            'reason' => 'Skimmer found / café',
            'idempotency_key' => null,
            'request' => '{"mode":"storefront"}',
            'prior_state' => '{"mode":"off"}',
            'result' => '{"previous_mode":"off"}',
        ];
    }

    public function testHashMatchesThePublishedRuleComputedIndependently(): void
    {
        // Vector computed with Python: json.dumps(fields, separators=(",", ":"), ensure_ascii=False).
        self::assertSame(
            '4e0c11d393b31a723f40fc636035534672c3977b3f4deda77f24469f6164e430',
            (new HashChain())->hash(HashChain::GENESIS, $this->record())
        );
    }

    public function testTheContractsExampleRecordVerifies(): void
    {
        $contract = json_decode(
            (string) file_get_contents(dirname(__DIR__, 4) . '/contract/openapi.json'),
            true,
            512,
            JSON_THROW_ON_ERROR
        );
        $example = $contract['paths']['/V1/incident-response/actions']['get']['responses']['200']['content']
            ['application/json']['example'];
        self::assertNull((new HashChain())->firstBrokenIndex($example['items']));
    }

    public function testCanonicalFormKeepsSlashesAndUnicodeUnescaped(): void
    {
        self::assertStringContainsString('"Skimmer found / café"', (new HashChain())->canonical($this->record()));
    }

    public function testChainOfUntouchedRecordsVerifies(): void
    {
        $chain = new HashChain();
        $records = $this->chainOf(3);
        self::assertNull($chain->firstBrokenIndex($records));
    }

    public function testEditedRecordBreaksTheChainAtThatRecord(): void
    {
        $records = $this->chainOf(3);
        $records[1]['reason'] = 'nothing to see';
        self::assertSame(1, (new HashChain())->firstBrokenIndex($records));
    }

    public function testDeletedRecordBreaksTheChainAtItsSuccessor(): void
    {
        $records = $this->chainOf(3);
        unset($records[1]);
        self::assertSame(1, (new HashChain())->firstBrokenIndex(array_values($records)));
    }

    /**
     * @return list<array<string, mixed>>
     */
    private function chainOf(int $count): array
    {
        $chain = new HashChain();
        $previous = HashChain::GENESIS;
        $records = [];
        for ($i = 0; $i < $count; $i++) {
            $record = ['reason' => 'step ' . $i] + $this->record();
            $record['previous_hash'] = $previous;
            $record['hash'] = $chain->hash($previous, $record);
            $previous = $record['hash'];
            $records[] = $record;
        }
        return $records;
    }
}
