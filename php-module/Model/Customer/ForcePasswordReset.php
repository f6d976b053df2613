<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Customer;

use Magento\Authorization\Model\UserContextInterface;
use Magento\Customer\Api\AccountManagementInterface;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Encryption\EncryptorInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Math\Random;
use Magento\Framework\Phrase;
use Magento\Framework\Stdlib\DateTime\DateTime;
use MagentoIr\IncidentResponse\Api\Data\PasswordResetResultInterface;
use MagentoIr\IncidentResponse\Api\ForcePasswordResetInterface;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\Action\ActionRunner;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\PasswordResetResult;
use MagentoIr\IncidentResponse\Model\Sql\IdCondition;
use MagentoIr\IncidentResponse\Model\Token\TokenRevoker;

/**
 * Makes customers choose a new password: old password, reset links, tokens and sessions all stop working.
 */
final class ForcePasswordReset implements ForcePasswordResetInterface
{
    public const ACTION = 'customers.force_password_reset';
    /** Magento\Customer\Model\AccountManagement::EMAIL_RESET, Magento's own "reset your password" e-mail. */
    public const EMAIL_TEMPLATE = 'email_reset';
    public const MAX_EMAILS_PER_CALL = 1000;

    public function __construct(
        private readonly ActionRunner $runner,
        private readonly Input $input,
        private readonly ResourceConnection $resource,
        private readonly TokenRevoker $tokenRevoker,
        private readonly EncryptorInterface $encryptor,
        private readonly Random $random,
        private readonly AccountManagementInterface $accountManagement,
        private readonly DateTime $dateTime
    ) {
    }

    /**
     * @inheritdoc
     */
    public function execute(
        string $reason,
        ?string $incidentId = null,
        array $customerIds = [],
        bool $allCustomers = false,
        bool $sendResetEmail = false,
        int $emailBatchSize = 100
    ): PasswordResetResultInterface {
        $request = [
            'reason' => $this->input->reason($reason),
            'incidentId' => $this->input->incidentId($incidentId),
            'customerIds' => $this->input->ids('customerIds', $customerIds),
            'allCustomers' => $allCustomers,
            'sendResetEmail' => $sendResetEmail,
            'emailBatchSize' => $this->input->intRange('emailBatchSize', $emailBatchSize, 1, 500),
        ];
        if ($allCustomers === ($request['customerIds'] !== [])) {
            throw new InputException(new Phrase(
                'Give either "customerIds" or "allCustomers": true, not both and not neither.'
            ));
        }
        $condition = IdCondition::sql('entity_id', $request['customerIds']);
        $response = $this->runner->run(
            self::ACTION,
            $request['reason'],
            $request['incidentId'],
            $request,
            function () use ($request, $condition, $sendResetEmail): ActionOutcome {
                if ($sendResetEmail) {
                    $this->refuseTooManyEmails($condition);
                }
                return $this->reset($request, $condition);
            }
        );
        return PasswordResetResult::fromArray($response);
    }

    /**
     * Refused inside the action so the refusal is logged.
     *
     * @throws InputException
     */
    private function refuseTooManyEmails(string $condition): void
    {
        $inScope = (int) $this->resource->getConnection()->fetchOne(
            'SELECT COUNT(*) FROM ' . $this->resource->getTableName('customer_entity') . ' WHERE ' . $condition
        );
        if ($inScope > self::MAX_EMAILS_PER_CALL) {
            throw new InputException(new Phrase(
                'sendResetEmail is limited to %max customers per call, this call has %count.'
                . ' Reset everyone without e-mail first, then send e-mails in pages of "customerIds".',
                ['max' => self::MAX_EMAILS_PER_CALL, 'count' => $inScope]
            ));
        }
    }

    /**
     * @param array<string, mixed> $request
     */
    private function reset(array $request, string $condition): ActionOutcome
    {
        $connection = $this->resource->getConnection();
        $customerTable = $this->resource->getTableName('customer_entity');
        $now = $this->dateTime->gmtTimestamp();
        $nowDate = $this->dateTime->gmtDate('Y-m-d H:i:s', $now);

        $existing = array_map('intval', $connection->fetchCol(
            "SELECT entity_id FROM {$customerTable} WHERE {$condition} ORDER BY entity_id"
        ));
        $unknown = array_values(array_diff($request['customerIds'], $existing));

        // One hash of a random secret nobody keeps: no password matches it, and it is the current hash format.
        $unusableHash = $this->encryptor->getHash($this->random->getRandomString(64), true);
        $connection->update(
            $customerTable,
            [
                'password_hash' => $unusableHash,
                'rp_token' => null,
                'rp_token_created_at' => null,
                'session_cutoff' => $nowDate,
            ],
            $condition
        );
        $revocation = $this->tokenRevoker->revoke(UserContextInterface::USER_TYPE_CUSTOMER, $condition, $now);
        $persistentDeleted = $connection->delete(
            $this->resource->getTableName('persistent_session'),
            IdCondition::sql('customer_id', $request['customerIds'])
        );

        [$attempted, $failed] = $request['sendResetEmail']
            ? $this->sendResetEmails($existing, $request['emailBatchSize'])
            : [0, []];

        return new ActionOutcome(
            ['customer_ids' => $existing],
            [
                'customers' => count($existing),
                'unknown_customer_ids' => $unknown,
                'passwords_invalidated' => count($existing),
                'tokens_revoked' => $revocation->userCount,
                'sessions_cut_off' => count($existing),
                'persistent_sessions_deleted' => $persistentDeleted,
                'emails_attempted' => $attempted,
                'emails_failed' => $failed,
            ],
            [fn () => $this->tokenRevoker->forgetCached($revocation)]
        );
    }

    /**
     * @param list<int> $customerIds
     * @return array{0: int, 1: list<int>} e-mails attempted (Magento does not report delivery), ids that threw
     */
    private function sendResetEmails(array $customerIds, int $batchSize): array
    {
        $connection = $this->resource->getConnection();
        $attempted = 0;
        $failed = [];
        foreach (array_chunk($customerIds, $batchSize) as $batch) {
            $rows = $connection->fetchAll(
                'SELECT entity_id, email, website_id FROM ' . $this->resource->getTableName('customer_entity')
                . ' WHERE ' . IdCondition::sql('entity_id', $batch) . ' ORDER BY entity_id'
            );
            foreach ($rows as $row) {
                try {
                    $this->accountManagement->initiatePasswordReset(
                        (string) $row['email'],
                        self::EMAIL_TEMPLATE,
                        (int) $row['website_id']
                    );
                    $attempted++;
                } catch (\Exception) {
                    // One undeliverable address must not stop the others; the id is reported back.
                    $failed[] = (int) $row['entity_id'];
                }
            }
        }
        return [$attempted, $failed];
    }
}
