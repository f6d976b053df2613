<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Customer;

use Magento\Customer\Api\AccountManagementInterface;
use Magento\Framework\App\CacheInterface;
use Magento\Framework\Encryption\EncryptorInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Math\Random;
use Magento\Framework\Phrase;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Customer\ForcePasswordReset;
use MagentoIr\IncidentResponse\Model\Token\TokenRevoker;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class ForcePasswordResetTest extends TestCase
{
    private FakeDb $db;
    /** @var list<array<int, mixed>> */
    private array $emails = [];

    private function service(): ForcePasswordReset
    {
        $encryptor = $this->getMockBuilder(EncryptorInterface::class)->getMock();
        $encryptor->method('getHash')->willReturnCallback(static fn ($password, $salt) => 'hash-of-random:3');
        $random = $this->getMockBuilder(Random::class)->disableOriginalConstructor()->getMock();
        $random->method('getRandomString')->willReturn(str_repeat('x', 64));
        $accounts = $this->getMockBuilder(AccountManagementInterface::class)->getMock();
        $accounts->method('initiatePasswordReset')->willReturnCallback(function ($email, $template, $websiteId) {
            if ($email === 'bounce@example.com') {
                throw new LocalizedException(new Phrase('Unable to send mail.'));
            }
            $this->emails[] = [$email, $template, $websiteId];
            return true;
        });
        return new ForcePasswordReset(
            Fixtures::runner($this, $this->db),
            new Input(),
            $this->db->resource,
            new TokenRevoker($this->db->resource, $this->getMockBuilder(CacheInterface::class)->getMock()),
            $encryptor,
            $random,
            $accounts,
            Fixtures::clock($this)
        );
    }

    private function customers(): FakeDb
    {
        return (new FakeDb($this))
            ->answer('/SELECT entity_id FROM customer_entity/', ['3', '4'])
            ->answer('/SELECT entity_id, email, website_id FROM customer_entity/', [self::class, 'emailRows'])
            ->answer('/SELECT COUNT\(\*\) FROM customer_entity/', '2')
            ->answer('/LAST_INSERT_ID/', '40')
            ->countFor('delete', 'persistent_session', 1);
    }

    /**
     * The customers of one e-mail batch, as the batch's "entity_id IN (...)" query selects them.
     *
     * @return list<array<string, string>>
     */
    public static function emailRows(string $sql): array
    {
        $rows = [
            ['entity_id' => '3', 'email' => 'ir.customer01@example.com', 'website_id' => '1'],
            ['entity_id' => '4', 'email' => 'bounce@example.com', 'website_id' => '1'],
        ];
        preg_match('/IN \(([0-9,]*)\)/', $sql, $match);
        $ids = explode(',', $match[1] ?? '');
        return array_values(
            array_filter($rows, static fn (array $row): bool => in_array($row['entity_id'], $ids, true))
        );
    }

    public function testInvalidatesPasswordsResetLinksTokensAndSessionsInOneUpdate(): void
    {
        $this->db = $this->customers();
        $result = $this->service()->execute('data leak', null, [3, 4, 999]);

        $update = $this->db->calls('update', 'customer_entity')[0];
        self::assertSame([
            'password_hash' => 'hash-of-random:3',
            'rp_token' => null,
            'rp_token_created_at' => null,
            'session_cutoff' => Fixtures::NOW_DATE,
        ], $update[2]);
        self::assertSame('entity_id IN (3,4,999)', $update[3]);
        self::assertSame([999], $result->getUnknownCustomerIds());
        self::assertSame(2, $result->getCustomers());
        self::assertSame(2, $result->getTokensRevoked());
        self::assertSame(1, $result->getPersistentSessionsDeleted());
        self::assertSame(0, $result->getEmailsAttempted());
        self::assertSame([], $this->emails);
    }

    public function testSendsMagentosResetEmailAndReportsFailuresWithoutStopping(): void
    {
        $this->db = $this->customers();
        $result = $this->service()->execute('data leak', null, [3, 4], false, true, 1);

        self::assertSame([['ir.customer01@example.com', 'email_reset', 1]], $this->emails);
        self::assertSame(1, $result->getEmailsAttempted());
        self::assertSame([4], $result->getEmailsFailed());
        // emailBatchSize 1: one customer read per batch.
        self::assertCount(2, array_filter(
            $this->db->calls('fetchAll'),
            static fn (array $call): bool => str_contains($call[1], 'email, website_id')
        ));
    }

    public function testEitherIdsOrAllCustomersMustBeGiven(): void
    {
        $this->db = new FakeDb($this);
        foreach ([[[], false], [[3], true]] as [$ids, $all]) {
            try {
                $this->service()->execute('why', null, $ids, $all);
                self::fail('Expected InputException.');
            } catch (InputException $exception) {
                self::assertStringContainsString('"customerIds" or "allCustomers"', $exception->getMessage());
            }
        }
        self::assertSame([], $this->db->journal);
    }

    public function testEmailsForTooManyCustomersAreRefusedBeforeAnyChangeAndTheRefusalLogged(): void
    {
        $this->db = (new FakeDb($this))->answer('/SELECT COUNT\(\*\) FROM customer_entity/', '250000');
        try {
            $this->service()->execute('why', null, [], true, true);
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame(['max' => 1000, 'count' => 250000], $exception->getParameters());
        }
        self::assertSame([], $this->db->calls('update'));
        self::assertSame(['rejected'], Fixtures::loggedStatuses($this->db));
    }
}
