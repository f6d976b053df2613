<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\App\State;
use Magento\Framework\HTTP\PhpEnvironment\RemoteAddress;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Quote\Api\Data\PaymentInterface;
use Magento\Sales\Api\Data\OrderInterface;

/**
 * Reads an order placement from the quote being placed, as QuoteManagement::placeOrder is about to read it,
 * or from the order OrderManagementInterface::place is about to place (the paths that skip placeOrder).
 */
final class AttemptReader
{
    /** additional_data keys under which payment methods expose a card number or its BIN. */
    private const CARD_KEYS = ['cc_number', 'cc_bin', 'card_bin', 'bin'];

    public function __construct(
        private readonly CartRepositoryInterface $cartRepository,
        private readonly RemoteAddress $remoteAddress,
        private readonly State $appState
    ) {
    }

    /**
     * @param int|string $cartId the quote id QuoteManagement::placeOrder receives
     */
    public function read(int|string $cartId, ?PaymentInterface $paymentMethod): Attempt
    {
        /** @var \Magento\Quote\Model\Quote $quote */
        $quote = $this->cartRepository->get((int) $cartId);
        $guest = $quote->getCheckoutMethod() === CartManagementInterface::METHOD_GUEST
            || !$quote->getCustomerId();
        $email = $quote->getCustomerEmail() ?: $quote->getBillingAddress()?->getEmail();
        $payment = $quote->getPayment();
        $method = $paymentMethod?->getMethod() ?: $payment?->getMethod();
        $ip = $this->remoteAddress->getRemoteAddress();
        return new Attempt(
            $this->channel(),
            is_string($ip) && $ip !== '' ? $ip : null,
            is_string($email) && $email !== '' ? strtolower($email) : null,
            $guest ? null : (int) $quote->getCustomerId(),
            $quote->getId() !== null ? (int) $quote->getId() : null,
            is_string($method) && $method !== '' ? $method : null,
            $this->cardPrefix($paymentMethod?->getAdditionalData() ?? [], $payment)
        );
    }

    /**
     * The same facts from an order about to be placed: its e-mail, customer (none for a guest), quote and
     * payment, whose card number (if the method kept one) was copied from the quote's payment.
     */
    public function fromOrder(OrderInterface $order): Attempt
    {
        $payment = $order->getPayment();
        $email = $order->getCustomerEmail();
        $method = $payment?->getMethod();
        $customerId = $order->getCustomerIsGuest() ? null : $order->getCustomerId();
        $ip = $this->remoteAddress->getRemoteAddress();
        return new Attempt(
            $this->channel(),
            is_string($ip) && $ip !== '' ? $ip : null,
            is_string($email) && $email !== '' ? strtolower($email) : null,
            $customerId ? (int) $customerId : null,
            $order->getQuoteId() ? (int) $order->getQuoteId() : null,
            is_string($method) && $method !== '' ? $method : null,
            $this->cardPrefix([], $payment)
        );
    }

    /**
     * @param array<string, mixed>|mixed $additionalData
     */
    private function cardPrefix(mixed $additionalData, mixed $payment): ?string
    {
        $sources = is_array($additionalData) ? $additionalData : [];
        if ($payment !== null) {
            // A card method's assignData() keeps the number on the quote payment for this request only.
            $sources += ['cc_number' => $payment->getData('cc_number')];
            $info = $payment->getAdditionalInformation();
            if (is_array($info)) {
                $sources += $info;
            }
        }
        foreach (self::CARD_KEYS as $key) {
            $prefix = Attempt::cardPrefix($sources[$key] ?? null);
            if ($prefix !== null) {
                return $prefix;
            }
        }
        return null;
    }

    private function channel(): string
    {
        try {
            return $this->appState->getAreaCode();
        } catch (\Throwable) {
            return 'unknown';
        }
    }
}
